import { describe, expect, it } from 'vitest';
import { pageMeta, paginationQuery } from './pagination.js';

describe('pagination', () => {
  it('coerces query strings and applies defaults', () => {
    expect(paginationQuery.parse({})).toEqual({ page: 1, pageSize: 20 });
    expect(paginationQuery.parse({ page: '3', pageSize: '100' })).toEqual({ page: 3, pageSize: 100 });
  });

  it.each([{ page: '0' }, { page: 'abc' }, { pageSize: '101' }, { pageSize: '0' }, { page: '1.5' }])('rejects %o', (query) => {
    expect(paginationQuery.safeParse(query).success).toBe(false);
  });

  it('computes meta and offsets', () => {
    expect(pageMeta(41, 2, 20)).toEqual({ page: 2, pageSize: 20, total: 41, totalPages: 3 });
    expect(pageMeta(0, 1, 20)).toEqual({ page: 1, pageSize: 20, total: 0, totalPages: 0 });
    expect(pageMeta(20, 1, 20)).toMatchObject({ totalPages: 1 });
    expect(pageMeta(21, 2, 20)).toMatchObject({ totalPages: 2 });
  });
});
