import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { HTTP_SERVER_DEFAULTS } from '@platform/config';
import type { HttpApp, Role } from '@platform/http-kit';
import { bearer, expectEnvelope } from '@platform/http-kit/testing';
import { declaredSeries, parseExposition, promtoolCheck, sampleValue } from '@platform/metrics/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceConfig } from '../service-config.js';
import { createTcpProxy, waitFor, type TcpProxy } from '@platform/resilience/testing';
import { createTestServiceEnv, type TestServiceEnv } from './test-service-env.js';

export interface ServiceBootSuite {
  service: string;
  build: (config: ServiceConfig) => Promise<HttpApp>;
  /** Absolute path of the app's `src/main.ts`, for the bad-configuration check. */
  mainPath: string;
  /** An authenticated API route that reads the database (if only for the token's revocation check). */
  apiProbe: { url: string; role?: Role };
  /** Series of the service's own (and the consumer series if it has consumers) its /metrics must declare. */
  metricsSeries: string[];
  /** Its workers, each a check in /ready (default: the retention worker alone). */
  workers?: string[];
}

/** What every service's /metrics declares: HTTP, outbox and relay, default Node metrics. */
const commonSeries = [
  'http_requests_total',
  'http_request_duration_seconds',
  'outbox_backlog',
  'outbox_oldest_age_seconds',
  'outbox_published_total',
  'outbox_publish_failures_total',
  'nodejs_eventloop_lag_seconds',
  'nodejs_heap_size_used_bytes',
  'nodejs_gc_duration_seconds',
  'process_cpu_seconds_total',
];

/** The consumer series, declared by services that consume events. */
export const consumerSeries = ['consumer_messages_total', 'consumer_handler_duration_seconds', 'consumer_pending', 'dead_letter_messages'];

interface ReadyBody {
  status: string;
  checks: Record<string, string>;
}

async function ready(app: HttpApp) {
  const response = await app.inject({ method: 'GET', url: '/ready' });
  return { status: response.statusCode, body: response.json() as { data: ReadyBody } };
}

/** Bounded wait for a condition: the platform's one poller, every 100 ms, 10 s unless told. */
const until = (check: () => Promise<boolean>, timeoutMs = 10_000) => waitFor(check, { timeoutMs, intervalMs: 100 });

/**
 * What every service with a database and events must do at boot (issue 2): start on its own
 * migrated database and NATS, answer /health, /ready and /openapi.json, report 503 while
 * Postgres or NATS is unreachable, and refuse a bad environment with one line.
 */
export function describeServiceBoot({ service, build, mainPath, apiProbe, metricsSeries, workers = ['retention'] }: ServiceBootSuite): void {
  describe(`${service} boot`, () => {
    let env: TestServiceEnv;
    let pgProxy: TcpProxy;
    let natsProxy: TcpProxy;
    let app: HttpApp;

    beforeAll(async () => {
      env = await createTestServiceEnv(service);
      [pgProxy, natsProxy] = await Promise.all([createTcpProxy('127.0.0.1', 5432), createTcpProxy('127.0.0.1', 4222)]);
      app = await build({ ...env.config, databaseUrl: pgProxy.url(env.config.databaseUrl), natsUrl: natsProxy.url(env.config.natsUrl) });
    });

    afterAll(async () => {
      await app?.close();
      await Promise.all([pgProxy?.close(), natsProxy?.close()]);
      await env?.cleanup();
    });

    it('answers /health in the envelope of its module', async () => {
      const response = await app.inject({ method: 'GET', url: '/health' });
      const body = expectEnvelope(response, { status: 200, code: 'SUCCESS', module: service });
      expect(body.data).toEqual({ status: 'ok' });
    });

    it('is ready with its database migrated, NATS connected and its workers (retention...) running', async () => {
      const workerChecks = Object.fromEntries(workers.map((name) => [name, 'up']));
      expect(await ready(app)).toEqual({
        status: 200,
        body: expect.objectContaining({ data: { status: 'ready', checks: { postgres: 'up', nats: 'up', ...workerChecks } } }),
      });
      const tables = await env.database.sql<{ table_name: string }[]>`
        select table_name from information_schema.tables where table_schema = 'public' and table_name in ('outbox', 'inbox')`;
      expect(tables.map((t) => t.table_name).sort()).toEqual(['inbox', 'outbox']);
    });

    it('serves its OpenAPI 3 document', async () => {
      const response = await app.inject({ method: 'GET', url: '/openapi.json' });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ openapi: expect.stringMatching(/^3\./), paths: expect.any(Object) });
    });

    it('bounds slow clients: request, headers and keep-alive timeouts are set (Fastify leaves them off)', () => {
      expect(app.server.requestTimeout).toBe(HTTP_SERVER_DEFAULTS.requestTimeoutMs);
      expect(app.server.headersTimeout).toBe(HTTP_SERVER_DEFAULTS.headersTimeoutMs);
      expect(app.server.keepAliveTimeout).toBe(HTTP_SERVER_DEFAULTS.keepAliveTimeoutMs);
      expect(app.server.timeout).toBe(HTTP_SERVER_DEFAULTS.socketTimeoutMs);
    });

    it('serves /metrics: its series, every one labelled with the service, routes by pattern, promtool-clean', async () => {
      const scrape = async () => (await app.inject({ method: 'GET', url: '/metrics' })).body;
      const route = { route: apiProbe.url, method: 'GET' };
      const before = sampleValue(await scrape(), 'http_requests_total', route);
      const token = await env.token({ sub: randomUUID(), role: apiProbe.role ?? 'user' });
      await app.inject({ method: 'GET', url: apiProbe.url, headers: bearer(token) });
      await app.inject({ method: 'GET', url: `/api/v1/${randomUUID()}` });
      const text = await scrape();
      const declared = declaredSeries(text);
      expect([...commonSeries, ...metricsSeries].filter((name) => !declared.has(name))).toEqual([]);
      expect(sampleValue(text, 'http_requests_total', route)).toBe(before + 1);
      const samples = parseExposition(text);
      expect(samples.filter((s) => s.labels.service !== service)).toEqual([]);
      expect(samples.filter((s) => s.name === 'http_requests_total' && /[0-9a-f]{8}-[0-9a-f]{4}/.test(s.labels.route ?? ''))).toEqual([]);
      expect(promtoolCheck(text)).toBe('');
    });

    it('turns 503 while Postgres is unreachable, and recovers', async () => {
      pgProxy.cut();
      const down = await ready(app);
      expect(down.status).toBe(503);
      expect(down.body).toMatchObject({ code: 'SERVICE_UNAVAILABLE', module: service, data: { checks: { postgres: 'down', nats: 'up' } } });
      pgProxy.restore();
      await until(async () => (await ready(app)).status === 200);
    });

    it('answers API requests 503 with Retry-After (never 500) while Postgres is unreachable, and serves again once it is back', async () => {
      const token = await env.token({ sub: randomUUID(), role: apiProbe.role ?? 'user' });
      const call = () => app.inject({ method: 'GET', url: apiProbe.url, headers: bearer(token) });
      await until(async () => (await call()).statusCode < 500);
      pgProxy.cut();
      // A burst while it is down: the first ones meet the outage in the pool, the rest are refused at once.
      const answers = await Promise.all(Array.from({ length: 20 }, call));
      for (const answer of answers) {
        expectEnvelope(answer, { status: 503, code: 'SERVICE_UNAVAILABLE', module: service });
        expect(answer.headers['retry-after']).toBe('1');
      }
      pgProxy.restore();
      await until(async () => (await call()).statusCode < 500, 5_000);
    });

    it('turns 503 while NATS is unreachable, and recovers', async () => {
      natsProxy.cut();
      const down = await ready(app);
      expect(down.status).toBe(503);
      expect(down.body).toMatchObject({ data: { checks: { postgres: 'up', nats: 'down' } } });
      natsProxy.restore();
      await until(async () => (await ready(app)).status === 200, 15_000);
    });

    it('stops with one line naming a malformed variable', () => {
      const result = spawnSync(process.execPath, ['--conditions=@platform/source', '--import', 'tsx', mainPath], {
        env: { PATH: process.env.PATH, NODE_ENV: 'production', DATABASE_URL: 'mysql://nope', PORT: 'eighty' },
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(result.status).toBe(1);
      const lines = result.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^Invalid configuration: .*PORT.*DATABASE_URL|^Invalid configuration: .*DATABASE_URL.*PORT/);
    });
  });
}
