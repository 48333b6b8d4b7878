import postgres from 'postgres';
import { databaseNameOf, quoteIdent, withUrlDatabase } from './url.js';

const DUPLICATE_DATABASE = '42P04';
const UNIQUE_VIOLATION = '23505';
// "database already exists, skipping" style notices are expected here.
const ignoreNotice = (): void => undefined;

/**
 * Creates the database named by `url` if it does not exist (development and tests), through the
 * `postgres` maintenance database of the same server. Safe when several processes race.
 * Returns true when it created the database.
 */
export async function ensureDatabase(url: string, maintenanceDatabase = 'postgres'): Promise<boolean> {
  const name = databaseNameOf(url);
  const admin = postgres(withUrlDatabase(url, maintenanceDatabase), { max: 1, connect_timeout: 5, onnotice: ignoreNotice });
  try {
    const rows = await admin`select 1 from pg_database where datname = ${name}`;
    if (rows.length > 0) return false;
    try {
      await admin.unsafe(`create database ${quoteIdent(name)}`);
      return true;
    } catch (err) {
      // A concurrent creator wins either cleanly (42P04) or on the catalog's unique index (23505).
      const code = (err as { code?: string }).code;
      if (code === DUPLICATE_DATABASE || code === UNIQUE_VIOLATION) return false;
      throw err;
    }
  } finally {
    await admin.end({ timeout: 5 });
  }
}

/** Drops a database, disconnecting its sessions first (tests, never production code paths). */
export async function dropDatabase(url: string, maintenanceDatabase = 'postgres'): Promise<void> {
  const name = databaseNameOf(url);
  const admin = postgres(withUrlDatabase(url, maintenanceDatabase), { max: 1, connect_timeout: 5, onnotice: ignoreNotice });
  try {
    await admin.unsafe(`drop database if exists ${quoteIdent(name)} with (force)`);
  } finally {
    await admin.end({ timeout: 5 });
  }
}
