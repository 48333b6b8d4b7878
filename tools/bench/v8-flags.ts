// What a Node/V8 flag for the production start costs the hot paths. Two platforms run side by
// side from the built bundles: one as the image runs it today, one with BENCH_V8_FLAGS added
// (default `--max-semi-space-size=2`: a young generation capped at 2 × 2 MiB instead of 2 × 16,
// so the boot's garbage is not held at idle). Rounds interleaved, same load on each:
//   gateway GET /health            the gateway's cheapest route, the most requests per second
//   users GET /api/v1/users/me     token check, one Postgres read, validated output
// Reported for each: throughput, p99 and the serving process's CPU per request (ratio = with the
// flag ÷ without), and each app's RSS after the loads.
import { gatewayClient, signUp } from '../../apps/e2e/src/gateway-client.js';
import { buildBundles } from './footprint.js';
import { compareVariants, type Variant } from './lib/compare.js';
import { serverGroup } from './lib/cpu-meter.js';
import { readRssBytes } from './lib/proc.js';
import { apps, startBenchPlatform, type BenchPlatform } from './lib/servers.js';
import { envNumber, round } from './lib/stats.js';
import type { BenchFigure, BenchScenario } from './types.js';

const flags = () => (process.env.BENCH_V8_FLAGS ?? '--max-semi-space-size=2').split(' ').filter(Boolean);

async function withToken(platform: BenchPlatform, who: string) {
  const { tokens } = await signUp(gatewayClient(platform.gatewayUrl), who);
  return tokens.accessToken;
}

export const v8Flags: BenchScenario = {
  name: 'v8-flags',
  servers: 'dist',
  description: 'built bundles with BENCH_V8_FLAGS (default --max-semi-space-size=2) vs without: gateway /health and users /me CPU, throughput, RSS',
  async run(ctx) {
    buildBundles(ctx.log);
    const candidate = flags();
    const label = candidate.join(' ');
    ctx.log(`starting two platforms from dist: as the image runs today, and with ${label}`);
    const plain = await startBenchPlatform({ label: 'v8-plain', entry: 'dist' });
    let flagged: BenchPlatform | undefined;
    try {
      flagged = await startBenchPlatform({ label: 'v8-flags', entry: 'dist', nodeArgs: candidate });
      const tokens = { plain: await withToken(plain, 'bench-v8-plain'), flagged: await withToken(flagged, 'bench-v8-flags') };
      const shape = { connections: envNumber('BENCH_CONNECTIONS', 100), durationSec: ctx.durationSec, warmupSec: envNumber('BENCH_WARMUP', 2), rounds: ctx.rounds };
      const pair = (what: string, app: 'gateway' | 'users', path: string, auth: boolean): [Variant, Variant] => {
        const variant = (key: 'plain' | 'flagged', platform: BenchPlatform): Variant => ({
          key,
          label: `${what}, ${key === 'plain' ? 'no flag' : label}`,
          url: platform.app(app).url,
          requests: [{ method: 'GET', path, headers: auth ? { authorization: `Bearer ${tokens[key]}` } : {} }],
          processes: [{ label: `${app} (${key === 'plain' ? 'no flag' : 'flag'})`, group: serverGroup(app, platform.app(app).pid), ...(key === 'flagged' ? { comparesWith: `${app} (no flag)` } : {}) }],
          ...(key === 'flagged' ? { baseline: 'plain' } : {}),
        });
        return [variant('plain', plain), variant('flagged', flagged!)];
      };
      const figures: BenchFigure[] = [
        ...(await compareVariants('v8-flags', pair('gateway GET /health', 'gateway', '/health', false), shape, ctx.log)),
        ...(await compareVariants('v8-flags', pair('users GET /api/v1/users/me direct', 'users', '/api/v1/users/me', true), shape, ctx.log)),
      ];
      for (const app of apps) {
        const mib = (p: BenchPlatform) => round((readRssBytes(p.app(app).pid) ?? Number.NaN) / 2 ** 20, 1);
        const before = mib(plain);
        const after = mib(flagged);
        ctx.log(`${app}: RSS after the loads ${before} MiB without, ${after} MiB with ${label}`);
        figures.push({ scenario: 'v8-flags', name: `${app}: RSS after the loads, ${label}`, metric: 'MiB', value: after, ratio: round(after / before, 2), baseline: `${before} MiB without` });
      }
      return figures;
    } finally {
      await Promise.all([plain.stop(), flagged?.stop()]);
    }
  },
};
