// The role rule lives in the `users_role` domain (migration 0002), not in a table CHECK: the same
// three values, refused with the same SQLSTATE and constraint name on every write of a role, and
// the migration keeps the rows of an existing database.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runMigrations } from '@platform/db-kit';
import { createTestDatabase, type TestDatabase } from '@platform/db-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const migrationsFolder = fileURLToPath(new URL('../drizzle', import.meta.url));
let tdb: TestDatabase;
beforeAll(async () => {
  tdb = await createTestDatabase({ prefix: 'users_role_domain', migrationsFolder });
});
afterAll(async () => {
  await tdb?.drop();
});

const refusal = async (write: Promise<unknown>) => {
  const err = (await write.then(() => undefined, (e: unknown) => e)) as { code?: string; constraint_name?: string } | undefined;
  return { code: err?.code, constraint: err?.constraint_name };
};

describe('the users role', () => {
  it('takes user, moderator and admin, and refuses anything else on insert and on update', async () => {
    const sql = tdb.sql;
    const rows = await sql<Array<{ role: string }>>`
      insert into users (email, password_hash, full_name, role) values
        ('r1@x.test', 'h', 'R1', 'user'), ('r2@x.test', 'h', 'R2', 'moderator'), ('r3@x.test', 'h', 'R3', 'admin')
      returning role`;
    expect(rows.map((r) => r.role)).toEqual(['user', 'moderator', 'admin']);
    const [byDefault] = await sql<[{ role: string }]>`insert into users (email, password_hash, full_name) values ('r4@x.test', 'h', 'R4') returning role`;
    expect(byDefault.role).toBe('user');
    const refused = { code: '23514', constraint: 'users_role_check' };
    expect(await refusal(sql`insert into users (email, password_hash, full_name, role) values ('r5@x.test', 'h', 'R5', 'root')`)).toEqual(refused);
    expect(await refusal(sql`update users set role = ${'owner'} where email = 'r1@x.test'`)).toEqual(refused);
    expect(await refusal(sql.unsafe(`update users set role = $1 where email = 'r1@x.test'`, ['Admin'], { prepare: true }))).toEqual(refused);
    // Compared with text, a role that does not exist is simply not found.
    const [{ n }] = await sql<[{ n: number }]>`select count(*)::int as n from users where role = ${'root'}`;
    expect(n).toBe(0);
    const [renamed] = await sql<[{ role: string }]>`update users set full_name = 'R1 renamed' where email = 'r1@x.test' returning role`;
    expect(renamed.role).toBe('user');
  });

  it('is migrated on an existing database without losing a row, and the old CHECK is gone', async () => {
    // The migrations before 0002, applied to a database that then holds users of every role.
    const before = mkdtempSync(join(tmpdir(), 'users-migrations-'));
    const older = await createTestDatabase({ prefix: 'users_role_existing' });
    try {
      cpSync(migrationsFolder, before, { recursive: true });
      const journalFile = join(before, 'meta', '_journal.json');
      const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: Array<{ tag: string }> };
      const at = journal.entries.findIndex((e) => e.tag === '0002_role_domain');
      expect(at).toBeGreaterThan(0);
      writeFileSync(journalFile, JSON.stringify({ ...journal, entries: journal.entries.slice(0, at) }));
      await runMigrations(older.db, before);
      await older.sql`insert into users (email, password_hash, full_name, role) values ('o1@x.test', 'h', 'O1', 'user'), ('o2@x.test', 'h', 'O2', 'moderator'), ('o3@x.test', 'h', 'O3', 'admin')`;
      const [{ checks: checksBefore }] = await older.sql<[{ checks: number }]>`select count(*)::int as checks from pg_constraint where conrelid = 'users'::regclass and contype = 'c'`;
      expect(checksBefore).toBe(1);

      await runMigrations(older.db, migrationsFolder);
      const users = await older.sql<Array<{ email: string; role: string }>>`select email, role from users order by email`;
      expect(users).toEqual([
        { email: 'o1@x.test', role: 'user' },
        { email: 'o2@x.test', role: 'moderator' },
        { email: 'o3@x.test', role: 'admin' },
      ]);
      const [{ type, checks }] = await older.sql<[{ type: string; checks: number }]>`
        select format_type(atttypid, atttypmod) as type,
               (select count(*)::int from pg_constraint where conrelid = 'users'::regclass and contype = 'c') as checks
        from pg_attribute where attrelid = 'users'::regclass and attname = 'role'`;
      expect({ type, checks }).toEqual({ type: 'users_role', checks: 0 });
      expect(await refusal(older.sql`update users set role = 'root' where email = 'o1@x.test'`)).toEqual({ code: '23514', constraint: 'users_role_check' });
    } finally {
      await older.drop();
      rmSync(before, { recursive: true, force: true });
    }
  });
});
