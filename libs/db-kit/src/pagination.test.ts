import { describe, expect, it } from 'vitest';
import { findPage, pageParams } from './pagination.js';

describe('pagination', () => {
  it('turns page/pageSize into limit/offset', () => {
    expect(pageParams({ page: 1, pageSize: 20 })).toEqual({ limit: 20, offset: 0 });
    expect(pageParams({ page: 3, pageSize: 10 })).toEqual({ limit: 10, offset: 20 });
    expect(pageParams({ page: 0, pageSize: 0 })).toEqual({ limit: 1, offset: 0 });
  });

  it('findPage runs both queries and coerces a bigint/string count', async () => {
    const seen: unknown[] = [];
    const page = await findPage(
      { page: 2, pageSize: 5 },
      async (params) => {
        seen.push(params);
        return ['a'];
      },
      async () => '11',
    );
    expect(seen).toEqual([{ limit: 5, offset: 5 }]);
    expect(page).toEqual({ items: ['a'], total: 11 });
  });
});
