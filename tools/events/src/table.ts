/** A plain-text table: a header row, left-aligned columns two spaces apart, cells cut to `max`. */
export function table(headers: string[], rows: (string | number | null)[][], max = 60): string {
  const cell = (v: string | number | null) => {
    const text = v === null ? '-' : String(v).replace(/\s+/g, ' ');
    return text.length > max ? `${text.slice(0, max - 1)}…` : text;
  };
  const cells = rows.map((r) => r.map(cell));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]?.length ?? 0)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(headers), ...cells.map(line)].join('\n');
}

/** "3 dead letters (2 billing, 1 notifications)" */
export function countBy<T>(items: T[], key: (item: T) => string, noun: string, plural = `${noun}s`): string {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  const parts = [...counts].map(([k, n]) => `${n} ${k}`).join(', ');
  return `${items.length} ${items.length === 1 ? noun : plural}${parts ? ` (${parts})` : ''}`;
}
