import { randomUUID } from 'node:crypto';
import { userRegisteredV1, type EventEnvelope } from '@platform/contracts';
import { sampleEvent } from '@platform/contracts/testing';
import { createMetrics } from '@platform/metrics';
import { promtoolCheck, sampleValue } from '@platform/metrics/testing';
import { describe, expect, it } from 'vitest';
import { createConsumer, createOutboxRelay, enqueueEvent, toMsgHdrs, watchOutbox } from '../src/index.js';
import { waitFor } from '../src/testing/index.js';
import { useConsumerFixture } from './consumer-fixture.js';
import { widgets } from './schema.js';

const fx = useConsumerFixture('metrics');

describe('event metrics', () => {
  it('outbox backlog and oldest age from the database, relay publishes counted', async () => {
    const metrics = createMetrics({ service: 'users', defaultMetrics: false, pollMaxAgeMs: 0 });
    watchOutbox(metrics, fx.tdb.sql);
    const backlogNow = async () => sampleValue(await metrics.render(), 'outbox_backlog', { service: 'users' });
    const base = await backlogNow();
    await fx.tdb.db.transaction(async (tx) => {
      for (let i = 0; i < 3; i++) await enqueueEvent(tx, userRegisteredV1, sampleEvent(userRegisteredV1.type).data, { correlationId: `m-${i}` });
    });
    expect(await backlogNow()).toBe(base + 3);
    expect(sampleValue(await metrics.render(), 'outbox_oldest_age_seconds')).toBeGreaterThanOrEqual(0);

    const relay = createOutboxRelay({ db: fx.tdb.db, js: fx.m.js, logger: fx.m.logger, namespace: fx.m.namespace, metrics });
    expect(await relay.flush()).toBeGreaterThanOrEqual(3);
    const text = await metrics.render();
    expect(sampleValue(text, 'outbox_published_total')).toBeGreaterThanOrEqual(3);
    expect(sampleValue(text, 'outbox_publish_failures_total')).toBe(0);
    expect(sampleValue(text, 'outbox_backlog')).toBe(0);
    expect(sampleValue(text, 'outbox_oldest_age_seconds')).toBe(0);
    expect(promtoolCheck(text)).toBe('');
  });

  it('a running relay counts each published row once', async () => {
    const metrics = createMetrics({ service: 'users', defaultMetrics: false, pollMaxAgeMs: 0 });
    await fx.tdb.db.transaction(async (tx) => {
      for (let i = 0; i < 5; i++) await enqueueEvent(tx, userRegisteredV1, sampleEvent(userRegisteredV1.type).data, { correlationId: `r-${i}` });
    });
    const relay = createOutboxRelay({ db: fx.tdb.db, js: fx.m.js, logger: fx.m.logger, namespace: fx.m.namespace, metrics, batchSize: 2, pollIntervalMs: 20 });
    await relay.start();
    try {
      await waitFor(async () => sampleValue(await metrics.render(), 'outbox_published_total') >= 5);
    } finally {
      await relay.stop();
    }
    expect(sampleValue(await metrics.render(), 'outbox_published_total')).toBe(5);
  });

  it('consumer outcomes, handler latency, pending from JetStream and this service\'s dead letters', async () => {
    const metrics = createMetrics({ service: 'users', defaultMetrics: false, pollMaxAgeMs: 0 });
    const name = 'metrics-widgets';
    const failing = new Set<string>();
    const publish = (event: EventEnvelope<typeof userRegisteredV1>, msgID = event.id) =>
      fx.m.js.publish(fx.m.subject(userRegisteredV1.type), JSON.stringify(event), { msgID, headers: toMsgHdrs({}) });
    const events = Array.from({ length: 3 }, () => sampleEvent(userRegisteredV1.type, { userId: randomUUID() }));
    // Published before the consumer exists: all three are pending for it at first.
    for (const event of events) await publish(event);

    const consumer = createConsumer({
      name,
      stream: 'users',
      contracts: [userRegisteredV1],
      handler: async (event, tx) => {
        if (failing.has(event.id)) throw new Error('handler broke');
        await tx.insert(widgets).values({ id: event.data.userId, name: 'w', applied: 1 });
      },
      db: fx.tdb.db,
      js: fx.m.js,
      jsm: fx.m.jsm,
      logger: fx.m.logger,
      namespace: fx.m.namespace,
      maxAttempts: 2,
      backoffMs: [20],
      ackWaitMs: 2_000,
      metrics,
    });
    const other = createConsumer({ ...{ name: 'metrics-other', stream: 'users' as const, contracts: [userRegisteredV1] }, handler: async () => undefined, db: fx.tdb.db, js: fx.m.js, jsm: fx.m.jsm, logger: fx.m.logger, namespace: fx.m.namespace });
    fx.running.push(consumer, other);
    // `other` has no registry: its dead letters and pending never count here.
    await other.start();

    const value = async (series: string, labels: Record<string, string> = {}) => sampleValue(await metrics.render(), series, labels);
    await consumer.start();
    const count = (outcome: string) => value('consumer_messages_total', { consumer: name, outcome });
    await waitFor(async () => (await count('handled')) === 3);
    expect(await value('consumer_pending', { consumer: name })).toBe(0);
    expect(await value('consumer_handler_duration_seconds_count', { consumer: name })).toBe(3);

    // A redelivery of a handled event (new msg id) is a duplicate; a poison one is retried, then dead-lettered.
    await publish(events[0] as EventEnvelope<typeof userRegisteredV1>, randomUUID());
    const poison = sampleEvent(userRegisteredV1.type, { userId: randomUUID() });
    failing.add(poison.id);
    await publish(poison);
    await waitFor(async () => (await count('dead_lettered')) === 1, { timeoutMs: 10_000 });
    expect(await count('duplicate')).toBe(1);
    expect(await count('redelivered')).toBe(1);
    await waitFor(async () => (await value('dead_letter_messages')) === 1);

    const text = await metrics.render();
    expect(sampleValue(text, 'consumer_pending', { consumer: 'metrics-other' })).toBe(0); // no series at all
    expect(promtoolCheck(text)).toBe('');
  });
});
