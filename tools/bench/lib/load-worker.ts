// The load generator, in a process of its own (forked by load.ts) so that it never shares an
// event loop with the benchmark or a server. Closed-loop runs use autocannon. Fixed-rate runs
// use an open-loop schedule on node:http instead, because autocannon's rate limit lets each
// connection send its whole per-second quota back to back at the top of every second (a burst
// every second, not a rate) and its coordinated-omission correction assumes milliseconds where
// it is given a per-second rate.
import { Agent, request as httpRequest } from 'node:http';
import autocannon from 'autocannon';
import type { LoadRequest, LoadResult, LoadSpec, ParentMessage, WorkerMessage } from './load-types.js';

const send = (message: WorkerMessage) => process.send?.(message);
/** Request numbering runs on across warm-up and measured run, so no `{n}` body repeats. */
let sequence = 0;
const bodyOf = (request: LoadRequest, n: number) => request.body?.replaceAll('{n}', String(n));

async function closedLoop(spec: LoadSpec, durationSec: number): Promise<LoadResult> {
  const result = await autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: durationSec,
    requests: [
      {
        setupRequest: (req) => {
          const n = sequence++;
          const next = spec.requests[n % spec.requests.length]!;
          return { ...req, method: next.method as 'GET', path: next.path, headers: next.headers ?? {}, body: bodyOf(next, n) };
        },
      },
    ],
  });
  const requests = result['1xx'] + result['2xx'] + result.non2xx;
  return {
    generator: `autocannon ${spec.connections} connections`,
    requests,
    ok: result['2xx'],
    non2xx: result.non2xx,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, stat]) => [code, stat.count ?? 0])),
    errors: result.errors,
    timeouts: result.timeouts,
    seconds: result.duration,
    requestsPerSec: requests / result.duration,
    latency: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
  };
}

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

async function openLoop(spec: LoadSpec, durationSec: number, agent: Agent): Promise<LoadResult> {
  const { hostname, port } = new URL(spec.url);
  const rate = spec.rate!;
  const total = Math.round(rate * durationSec);
  const latencies: number[] = [];
  let errors = 0;
  let timeouts = 0;
  const statusCodes: Record<string, number> = {};
  const pending = new Set<Promise<void>>();
  const fire = (dueAt: number) => {
    const n = sequence++;
    const next = spec.requests[n % spec.requests.length]!;
    const body = bodyOf(next, n);
    const done = new Promise<void>((resolve) => {
      const req = httpRequest(
        { agent, hostname, port, method: next.method, path: next.path, headers: { ...next.headers, ...(body ? { 'content-length': Buffer.byteLength(body) } : {}) }, timeout: 30_000 },
        (res) => {
          res.resume();
          res.on('end', () => {
            latencies.push(performance.now() - dueAt);
            const code = String(res.statusCode ?? 0);
            statusCodes[code] = (statusCodes[code] ?? 0) + 1;
            resolve();
          });
        },
      );
      req.on('timeout', () => {
        timeouts += 1;
        req.destroy(new Error('timeout'));
      });
      req.on('error', () => {
        errors += 1;
        resolve();
      });
      req.end(body);
    });
    pending.add(done);
    void done.then(() => pending.delete(done));
  };
  const started = performance.now();
  for (let i = 0; i < total; ) {
    const now = performance.now();
    // Every request whose time has come goes out now, however late the timer woke us.
    while (i < total && started + (i * 1000) / rate <= now) {
      fire(started + (i * 1000) / rate);
      i += 1;
    }
    const nextDue = started + (i * 1000) / rate;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, nextDue - performance.now())));
  }
  await Promise.all(pending);
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  // ok and non-2xx from the one count by status code (2xx as failureSummary reads them).
  const ok = Object.entries(statusCodes)
    .filter(([code]) => code.startsWith('2'))
    .reduce((sum, [, count]) => sum + count, 0);
  const round = (ms: number) => Number(ms.toFixed(1));
  return {
    generator: `open loop ${rate}/s over ≤ ${spec.connections} connections (node:http)`,
    requests: latencies.length,
    ok,
    non2xx: latencies.length - ok,
    statusCodes,
    errors,
    timeouts,
    seconds,
    requestsPerSec: latencies.length / seconds,
    latency: { p50: round(percentile(latencies, 0.5)), p90: round(percentile(latencies, 0.9)), p99: round(percentile(latencies, 0.99)), max: round(latencies.at(-1) ?? 0) },
  };
}

let spec: LoadSpec | undefined;
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
const run = (durationSec: number) => {
  if (!spec!.rate) return closedLoop(spec!, durationSec);
  agent.maxSockets = spec!.connections;
  return openLoop(spec!, durationSec, agent);
};

process.on('message', (message: ParentMessage) => {
  void (async () => {
    try {
      if (message.type === 'spec') {
        spec = message.spec;
        if (spec.warmupSec > 0) await run(spec.warmupSec);
        send({ type: 'warm' });
      } else {
        const result = await run(spec!.durationSec);
        send({ type: 'result', result });
        agent.destroy();
        process.disconnect();
      }
    } catch (error) {
      send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
      process.disconnect();
    }
  })();
});
