/**
 * drizzle sets the shared postgres.js client to hand timestamps over as Postgres text
 * (`2025-03-01 10:15:00+00`); raw queries on that client turn them into Dates here.
 */
export function pgTime(value: string | Date): Date {
  if (value instanceof Date) return value;
  return new Date(value.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00'));
}
