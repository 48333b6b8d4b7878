/**
 * `BENCH_APP_<NAME>=value` in the bench's environment sets `<NAME>` for every app it starts: an
 * A/B of one setting (e.g. `BENCH_APP_OUTBOX_POLL_INTERVAL_MS=250`) without editing code between runs.
 */
export function appEnvOverrides(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const prefix = 'BENCH_APP_';
  return Object.fromEntries(Object.entries(env).filter(([name]) => name.startsWith(prefix) && name.length > prefix.length).map(([name, value]) => [name.slice(prefix.length), value]));
}
