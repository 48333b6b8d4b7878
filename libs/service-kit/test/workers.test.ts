import { fileURLToPath } from 'node:url';
import { userRegisteredV1 } from '@platform/contracts';
import { bearer } from '@platform/http-kit/testing';
import { createLogger } from '@platform/logging';
import { inboxTable, namespacedStream, outboxTable } from '@platform/messaging';
import { waitFor } from '@platform/messaging/testing';
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPeriodicWorker, createService, retentionWorker, type ServiceContext, type ServiceWorker } from '../src/index.js';
import { createTestServiceEnv, type TestServiceEnv } from '../src/testing/index.js';

// The outbox and inbox (and messaging's test table) are all a bare service needs: messaging's own test migrations.
const migrationsFolder = fileURLToPath(new URL('../../messaging/test/migrations', import.meta.url));
const logger = createLogger({ service: 'workers-test', level: 'silent' });
const DAY_MS = 86_400_000;

let env: TestServiceEnv;
beforeAll(async () => {
  env = await createTestServiceEnv('workers');
});
afterAll(async () => {
  await env?.cleanup();
});

describe('createPeriodicWorker', () => {
  it('runs on its schedule, survives a failing round, and reports when it is not running', async () => {
    let rounds = 0;
    const worker = createPeriodicWorker({
      name: 'ticker',
      logger,
      intervalMs: 10,
      initialDelayMs: 0,
      async run() {
        rounds += 1;
        if (rounds === 2) throw new Error('a bad round');
      },
    });
    expect(() => worker.check()).toThrow(/not running/);
    worker.start();
    expect(() => worker.check()).not.toThrow();
    await waitFor(() => rounds >= 4);
    await worker.stop();
    const after = rounds;
    expect(() => worker.check()).toThrow(/not running/);
    await worker.runOnce();
    expect(rounds).toBe(after + 1);
  });

  it('stop waits for the round in flight and aborts its signal', async () => {
    let aborted = false;
    let begun = false;
    const worker = createPeriodicWorker({
      name: 'slow',
      logger,
      intervalMs: 60_000,
      initialDelayMs: 0,
      run: (signal) =>
        new Promise<void>((resolve) => {
          begun = true;
          signal.addEventListener('abort', () => {
            aborted = true;
            resolve();
          });
        }),
    });
    worker.start();
    await waitFor(() => begun);
    await worker.stop();
    expect(aborted).toBe(true);
  });
});

describe('retentionWorker', () => {
  it('deletes published outbox rows and inbox ids past retention, and nothing still needed', async () => {
    const service = await createService({ config: env.config, logger, schema: {}, migrationsFolder });
    try {
      const { db } = service.ctx;
      await service.ctx.relay.stop(); // the rows below are planted, not for publishing
      const ago = (ms: number) => sql`now() - make_interval(secs => ${ms / 1000})`;
      const row = (id: string) => ({ id, subject: userRegisteredV1.type, payload: {}, headers: {} });
      const [oldSent, recentSent, oldPending] = [randomUUID(), randomUUID(), randomUUID()];
      await db.insert(outboxTable).values([
        { ...row(oldSent), createdAt: ago(9 * DAY_MS), publishedAt: ago(8 * DAY_MS) },
        { ...row(recentSent), createdAt: ago(DAY_MS), publishedAt: ago(6 * DAY_MS) },
        // Never published (NATS down for a month): it is the event, it stays.
        { ...row(oldPending), createdAt: ago(30 * DAY_MS) },
      ] as never);
      const [oldSeen, recentSeen] = [randomUUID(), randomUUID()];
      await db.insert(inboxTable).values([
        { consumer: 'c', eventId: oldSeen, processedAt: ago(8 * DAY_MS) },
        { consumer: 'c', eventId: recentSeen, processedAt: ago(6 * DAY_MS) },
      ] as never);

      const worker = retentionWorker(service.ctx, [{ table: 'extra', prune: async () => 3 }]);
      await worker.runOnce();

      expect((await db.select({ id: outboxTable.id }).from(outboxTable)).map((r) => r.id).sort()).toEqual([recentSent, oldPending].sort());
      expect((await db.select({ id: inboxTable.eventId }).from(inboxTable)).map((r) => r.id)).toEqual([recentSeen]);
    } finally {
      await service.app.close();
    }
  });
});

describe('createService workers', () => {
  it('starts workers after the consumers, stops them before the broker goes, and reports them in /ready', async () => {
    const events: string[] = [];
    let healthy = true;
    const recorder = (ctx: ServiceContext): ServiceWorker => ({
      name: 'recorder',
      async start() {
        const stream = namespacedStream('USERS', ctx.config.eventNamespace);
        const consumer = await ctx.nats.jsm.consumers.info(stream, 'workers-consumer').catch(() => null);
        events.push(consumer ? 'start: consumer already running' : 'start: no consumer yet');
      },
      async stop() {
        events.push(ctx.nats.nc.isClosed() ? 'stop: after NATS' : 'stop: before NATS');
      },
      check() {
        if (!healthy) throw new Error('stuck');
      },
    });
    const service = await createService({
      config: env.config,
      logger,
      schema: {},
      migrationsFolder,
      consumers: () => [{ name: 'workers-consumer', stream: 'users', contracts: [userRegisteredV1], handler: async () => undefined }],
      workers: (ctx) => [recorder(ctx)],
    });
    try {
      const ready = await service.app.inject({ method: 'GET', url: '/ready' });
      expect(ready.json().data.checks).toEqual({ postgres: 'up', nats: 'up', recorder: 'up' });
      healthy = false;
      const down = await service.app.inject({ method: 'GET', url: '/ready' });
      expect(down.statusCode).toBe(503);
      expect(down.json().data.checks).toMatchObject({ recorder: 'down' });
      // The API is not held hostage by a worker's health.
      const token = await env.token({ role: 'user' });
      expect((await service.app.inject({ method: 'GET', url: '/api/v1/nothing', headers: bearer(token) })).statusCode).toBe(404);
    } finally {
      await service.app.close();
    }
    expect(events).toEqual(['start: consumer already running', 'stop: before NATS']);
  });
});
