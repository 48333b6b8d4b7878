/**
 * SQL text for a timestamptz column as the API writes it: `Date#toISOString()`'s form
 * (`2026-12-01T17:31:09.123Z`, UTC, milliseconds truncated as JavaScript's Date parse truncates
 * microseconds), `null` for null. For raw reads (`clientOf`) that return the response's own shape,
 * so no Date is made and formatted per row. `column` is SQL (a column name), never user input.
 */
export function isoUtc(column: string): string {
  return `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}
