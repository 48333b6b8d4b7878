// The request path, one scenario per row of issue 12's first table, each against the in-repo
// baselines measured in the same run (3 interleaved rounds, 100 connections, load generator in
// its own process, CPU of every server process from /proc):
//   gateway-health  gateway GET /health (nothing proxied)        vs a bare Fastify app
//   gateway-jwks    gateway → users GET /api/v1/auth/jwks.json   vs a bare reply-from proxy → bare Fastify,
//                                                                and vs a bare reply-from proxy → users
//   users-jwks      users GET /api/v1/auth/jwks.json direct      vs a bare Fastify app
//   gateway-me      gateway → users GET /api/v1/users/me (token) vs a bare reply-from proxy → bare Fastify,
//                                                                and vs a bare reply-from proxy → users
//   users-me        users GET /api/v1/users/me direct (token)    vs a bare Fastify app
// Each baseline answers the very JSON the subject answers (fetched from it first). The platform
// is started once per `npm run bench` run and shared by these scenarios.
// A proxied route's two baselines split its gap: on 2 shared cores throughput is bounded by the
// CPU the whole chain spends per request (front + service + load generator), so the ratio to the
// bare chain counts users' cost and the gateway's, the ratio to the bare proxy in front of the
// same users the gateway's alone (its own CPU, and what its answers cost the client).
import { gatewayClient, signUp } from '../../apps/e2e/src/gateway-client.js';
import { compareVariants, type MeteredProcess, type Variant } from './lib/compare.js';
import { serverGroup } from './lib/cpu-meter.js';
import { postgresActivity, type PostgresActivity } from './lib/postgres-activity.js';
import { databaseName, startBaselines, startBenchPlatform, type BenchPlatform } from './lib/servers.js';
import { envNumber } from './lib/stats.js';
import type { BenchContext, BenchScenario } from './types.js';

const CONNECTIONS = 100;

export interface RequestPathRig {
  platform: BenchPlatform;
  pg: PostgresActivity;
  token: string;
  stop(): Promise<void>;
}

export function rig(ctx: BenchContext): Promise<RequestPathRig> {
  return ctx.shared('request-path', async () => {
    ctx.log('starting the platform (5 processes)');
    const platform = await startBenchPlatform({ label: 'request-path' });
    const pg = postgresActivity();
    try {
      const { tokens } = await signUp(gatewayClient(platform.gatewayUrl), 'bench');
      return {
        platform,
        pg,
        token: tokens.accessToken,
        async stop() {
          await pg.close();
          await platform.stop();
        },
      };
    } catch (error) {
      await pg.close();
      await platform.stop();
      throw error;
    }
  });
}

export interface Target {
  url: string;
  path: string;
  headers: Record<string, string>;
}

export interface Subject {
  name: string;
  description: string;
  /** `direct`: compared with the bare app; `proxied`: with the bare proxy in front of it. */
  kind: 'direct' | 'proxied';
  label: string;
  target: (r: RequestPathRig, ctx: BenchContext) => Target | Promise<Target>;
  processes: (r: RequestPathRig) => MeteredProcess[];
  /** Closed-loop connections (default 100, `BENCH_CONNECTIONS`); heavy routes take fewer. */
  connections?: number;
  /**
   * `proxied` only: the service behind the gateway and its metered processes, for the second
   * baseline (a bare reply-from proxy in front of that same service).
   */
  upstream?: (r: RequestPathRig) => { url: string; processes: MeteredProcess[] };
}

const usersDb = (r: RequestPathRig): MeteredProcess => ({ label: 'postgres (users db)', group: r.pg.database('postgres (users db)', databaseName(r.platform.databases.users)) });

export function requestPathScenario(subject: Subject): BenchScenario {
  return {
    name: subject.name,
    description: subject.description,
    async run(ctx) {
      const r = await rig(ctx);
      // A target may seed its own data set first (the service read scenarios do).
      const { url, path, headers } = await subject.target(r, ctx);
      // The baseline answers what the subject answers.
      const sample = await fetch(`${url}${path}`, { headers });
      if (!sample.ok) throw new Error(`${subject.label}: ${sample.status} ${await sample.text()}`);
      const body: unknown = await sample.json();
      const upstream = subject.kind === 'proxied' ? subject.upstream?.(r) : undefined;
      const baselines = await startBaselines(subject.name, body, sample.headers.get('content-type') ?? 'application/json; charset=utf-8', upstream?.url);
      try {
        const request = [{ method: 'GET', path, headers }];
        const baseline: Variant =
          subject.kind === 'direct'
            ? { key: 'bare', label: 'bare Fastify (same JSON)', url: baselines.bare.url, requests: [{ method: 'GET', path }], processes: [{ label: 'bare app', group: serverGroup('bare app', baselines.bare.pid) }] }
            : {
                key: 'proxy',
                label: 'bare reply-from proxy → bare Fastify',
                url: baselines.proxy.url,
                requests: [{ method: 'GET', path }],
                processes: [
                  { label: 'bare proxy', group: serverGroup('bare proxy', baselines.proxy.pid) },
                  { label: 'bare upstream', group: serverGroup('bare upstream', baselines.bare.pid) },
                ],
                chain: true,
              };
        // The same request (token included) through the bare proxy to the subject's own upstream.
        const sameUpstream: Variant | undefined =
          upstream && baselines.serviceProxy
            ? {
                key: 'proxy-service',
                label: 'bare reply-from proxy → users (same upstream)',
                url: baselines.serviceProxy.url,
                requests: request,
                processes: [{ label: 'bare proxy', group: serverGroup('bare proxy', baselines.serviceProxy.pid) }, ...upstream.processes],
                chain: true,
              }
            : undefined;
        const subjectVariant: Variant = {
          key: 'subject',
          label: subject.label,
          url,
          requests: request,
          processes: subject.processes(r),
          baseline: baseline.key,
          ...(sameUpstream ? { alsoComparedWith: [sameUpstream.key], chain: true } : {}),
        };
        const variants = sameUpstream ? [baseline, sameUpstream, subjectVariant] : [baseline, subjectVariant];
        return await compareVariants(subject.name, variants, {
          connections: envNumber('BENCH_CONNECTIONS', subject.connections ?? CONNECTIONS),
          durationSec: ctx.durationSec,
          warmupSec: envNumber('BENCH_WARMUP', 2),
          rounds: ctx.rounds,
        }, ctx.log);
      } finally {
        await baselines.stop();
      }
    },
  };
}

const gateway = (r: RequestPathRig): MeteredProcess[] => [{ label: 'gateway', group: serverGroup('gateway', r.platform.app('gateway').pid), comparesWith: 'bare proxy' }];
const users = (comparesWith?: string) => (r: RequestPathRig): MeteredProcess[] => [{ label: 'users', group: serverGroup('users', r.platform.app('users').pid), ...(comparesWith ? { comparesWith } : {}) }];
const bearer = (r: RequestPathRig) => ({ authorization: `Bearer ${r.token}` });

export const gatewayHealth = requestPathScenario({
  name: 'gateway-health',
  description: 'gateway GET /health (nothing proxied) vs a bare Fastify app',
  kind: 'direct',
  label: 'gateway GET /health',
  target: (r) => ({ url: r.platform.gatewayUrl, path: '/health', headers: {} }),
  processes: (r) => [{ ...gateway(r)[0]!, comparesWith: 'bare app' }],
});

export const gatewayJwks = requestPathScenario({
  name: 'gateway-jwks',
  description: 'gateway → users GET /api/v1/auth/jwks.json (no token) vs a bare reply-from proxy',
  kind: 'proxied',
  label: 'gateway → users GET /api/v1/auth/jwks.json',
  target: (r) => ({ url: r.platform.gatewayUrl, path: '/api/v1/auth/jwks.json', headers: {} }),
  processes: (r) => [...gateway(r), ...users('bare upstream')(r)],
  upstream: (r) => ({ url: r.platform.app('users').url, processes: users()(r) }),
});

export const usersJwks = requestPathScenario({
  name: 'users-jwks',
  description: 'users GET /api/v1/auth/jwks.json direct vs a bare Fastify app',
  kind: 'direct',
  label: 'users GET /api/v1/auth/jwks.json direct',
  target: (r) => ({ url: r.platform.app('users').url, path: '/api/v1/auth/jwks.json', headers: {} }),
  processes: users('bare app'),
});

export const gatewayMe = requestPathScenario({
  name: 'gateway-me',
  description: 'gateway → users GET /api/v1/users/me (token, caches warm) vs a bare reply-from proxy',
  kind: 'proxied',
  label: 'gateway → users GET /api/v1/users/me',
  target: (r) => ({ url: r.platform.gatewayUrl, path: '/api/v1/users/me', headers: bearer(r) }),
  processes: (r) => [...gateway(r), ...users('bare upstream')(r), usersDb(r)],
  upstream: (r) => ({ url: r.platform.app('users').url, processes: [...users()(r), usersDb(r)] }),
});

export const usersMe = requestPathScenario({
  name: 'users-me',
  description: 'users GET /api/v1/users/me direct (token) vs a bare Fastify app',
  kind: 'direct',
  label: 'users GET /api/v1/users/me direct',
  target: (r) => ({ url: r.platform.app('users').url, path: '/api/v1/users/me', headers: bearer(r) }),
  processes: (r) => [...users('bare app')(r), usersDb(r)],
});

export const requestPathScenarios = [gatewayHealth, gatewayJwks, usersJwks, gatewayMe, usersMe];
