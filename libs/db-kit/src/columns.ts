import { sql } from 'drizzle-orm';
import { timestamp, uuid } from 'drizzle-orm/pg-core';

/** `id uuid primary key default gen_random_uuid()`; callers may still supply their own id. */
export const uuidPk = (name = 'id') => uuid(name).primaryKey().default(sql`gen_random_uuid()`);

/** `timestamptz not null default now()`, read back as a Date (UTC instant). */
export const createdAt = (name = 'created_at') => timestamp(name, { withTimezone: true, mode: 'date' }).notNull().defaultNow();

/** Like `createdAt`, and drizzle refreshes it on every update made through the query builder. */
export const updatedAt = (name = 'updated_at') =>
  timestamp(name, { withTimezone: true, mode: 'date' })
    .notNull()
    .defaultNow()
    .$onUpdate(() => new Date());
