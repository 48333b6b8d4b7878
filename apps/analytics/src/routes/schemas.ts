import { validationError } from '@platform/http-kit';
import * as z from 'zod';
import { checkRange, type Interval } from '../domain/time-range.js';

/** An ISO 8601 instant with a zone (`2025-01-31T12:00:00Z`) or a date (`2025-01-31`, midnight UTC). */
export const instantQuery = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()], 'must be an ISO 8601 date or date-time with a zone')
  .transform((value) => new Date(value.length === 10 ? `${value}T00:00:00Z` : value));

export const rangeQuery = { from: instantQuery.optional(), to: instantQuery.optional() };

/** from < to, and a series holds at most 10,000 buckets; else a 400 naming the field. */
export function assertRange(from: Date | null, to: Date | null, interval?: Interval): void {
  const problem = checkRange(from, to, interval);
  if (problem) throw validationError([problem], problem.message);
}
