// What OpenTelemetry tracing costs on the request path (issue 13: at most +10 % gateway CPU per
// request with traces sampled at 10 %). Two platforms run side by side: the request-path one
// (tracing off, the default) and one with OTEL_TRACES_EXPORTER=otlp, parentbased_traceidratio
// at 0.1, exporting to an OTLP/HTTP sink in this process that accepts and drops every batch (so
// the serialisation and the export requests are paid, the collector is not measured). The same
// GET /api/v1/users/me goes through each gateway, rounds interleaved: the ratio is the cost.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gatewayClient, signUp } from '../../apps/e2e/src/gateway-client.js';
import { compareVariants, type Variant } from './lib/compare.js';
import { serverGroup } from './lib/cpu-meter.js';
import { startBenchPlatform, type BenchPlatform } from './lib/servers.js';
import { envNumber } from './lib/stats.js';
import { rig } from './request-path.js';
import type { BenchScenario } from './types.js';

const SAMPLE_RATIO = '0.1';

async function startDiscardingSink() {
  let exports = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      exports += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    exports: () => exports,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export const gatewayTracing: BenchScenario = {
  name: 'gateway-tracing',
  description: 'gateway → users GET /api/v1/users/me with traces sampled at 10 % (OTLP to a discarding sink) vs tracing off',
  async run(ctx) {
    const off = await rig(ctx);
    const sink = await startDiscardingSink();
    let traced: BenchPlatform | undefined;
    try {
      ctx.log('starting a second platform with tracing on (10 %)');
      traced = await startBenchPlatform({
        label: 'tracing',
        env: { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: SAMPLE_RATIO, OTEL_BSP_SCHEDULE_DELAY: '1000' },
      });
      const { tokens } = await signUp(gatewayClient(traced.gatewayUrl), 'bench-traced');
      const path = '/api/v1/users/me';
      const baseline: Variant = {
        key: 'off',
        label: 'gateway → users GET /api/v1/users/me, tracing off',
        url: off.platform.gatewayUrl,
        requests: [{ method: 'GET', path, headers: { authorization: `Bearer ${off.token}` } }],
        processes: [
          { label: 'gateway, tracing off', group: serverGroup('gateway, tracing off', off.platform.app('gateway').pid) },
          { label: 'users, tracing off', group: serverGroup('users, tracing off', off.platform.app('users').pid) },
        ],
      };
      const subject: Variant = {
        key: 'traced',
        label: `gateway → users GET /api/v1/users/me, traces sampled at ${Number(SAMPLE_RATIO) * 100} %`,
        url: traced.gatewayUrl,
        requests: [{ method: 'GET', path, headers: { authorization: `Bearer ${tokens.accessToken}` } }],
        processes: [
          { label: 'gateway', group: serverGroup('gateway', traced.app('gateway').pid), comparesWith: 'gateway, tracing off' },
          { label: 'users', group: serverGroup('users', traced.app('users').pid), comparesWith: 'users, tracing off' },
        ],
        baseline: 'off',
      };
      const figures = await compareVariants('gateway-tracing', [baseline, subject], {
        connections: envNumber('BENCH_CONNECTIONS', 100),
        durationSec: ctx.durationSec,
        warmupSec: envNumber('BENCH_WARMUP', 2),
        rounds: ctx.rounds,
      }, ctx.log);
      // Proof the traced platform really exported (a sink that saw nothing would measure nothing).
      if (sink.exports() === 0) throw new Error('the traced platform exported no spans');
      return figures;
    } finally {
      await traced?.stop();
      await sink.stop();
    }
  },
};
