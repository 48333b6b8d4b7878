import { integer, pgTable, text } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt, uuidPk } from '../src/columns.js';

/** A throwaway table proving migrations and column helpers; only db-kit's own tests use it. */
export const notes = pgTable('notes', {
  id: uuidPk(),
  body: text('body').notNull(),
  position: integer('position').notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});
