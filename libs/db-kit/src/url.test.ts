import { describe, expect, it } from 'vitest';
import { databaseNameOf, quoteIdent, withUrlDatabase } from './url.js';

describe('url helpers', () => {
  it('swaps the database and keeps credentials and options', () => {
    expect(withUrlDatabase('postgres://u:p@h:5432/users?sslmode=disable', 'postgres')).toBe(
      'postgres://u:p@h:5432/postgres?sslmode=disable',
    );
    expect(databaseNameOf('postgres://h/billing')).toBe('billing');
    expect(() => databaseNameOf('postgres://h')).toThrow();
  });

  it('quotes identifiers', () => {
    expect(quoteIdent('a"b')).toBe('"a""b"');
  });
});
