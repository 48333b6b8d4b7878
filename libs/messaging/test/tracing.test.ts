import { userRegisteredV1 } from '@platform/contracts';
import { sampleEventData } from '@platform/contracts/testing';
import { SpanKind, withSpan } from '@platform/tracing';
import { parentIdOf, startTestTracing, type TestTracing } from '@platform/tracing/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsumer, createOutboxRelay, enqueueEvent } from '../src/index.js';
import { readStreamMessages } from '../src/testing/index.js';
import { useConsumerFixture } from './consumer-fixture.js';
import { widgets } from './schema.js';

// Started before the fixture builds its database: db-kit instruments pools created while tracing is on.
let tracing: TestTracing;
beforeAll(async () => {
  tracing = await startTestTracing('messaging-test');
});
afterAll(async () => tracing?.shutdown());
const fx = useConsumerFixture('tracing');
const sample = sampleEventData['users.user.registered.v1'];

async function registerInTransaction() {
  const data = sample();
  return fx.tdb.db.transaction(async (tx) => {
    await tx.insert(widgets).values({ id: data.userId, name: 'traced' });
    return enqueueEvent(tx, userRegisteredV1, data, { correlationId: 'corr-traced' });
  });
}

describe('trace context through the outbox, NATS and a consumer', () => {
  it('continues the request trace: transaction → publish → process → handler', async () => {
    const seen: string[] = [];
    const consumer = createConsumer({
      name: 'traced-consumer',
      stream: 'users',
      contracts: [userRegisteredV1],
      handler: async (_event, _tx, ctx) => {
        ctx.logger.info('handled');
        await withSpan('effect', {}, async () => undefined);
        seen.push(ctx.subject);
      },
      db: fx.tdb.db,
      js: fx.m.js,
      jsm: fx.m.jsm,
      logger: fx.m.logger,
      namespace: fx.m.namespace,
      ackWaitMs: 2_000,
    });
    fx.running.push(consumer);
    await consumer.start();

    const request = await withSpan('POST /register', { kind: SpanKind.SERVER }, async (span) => {
      await registerInTransaction();
      return span;
    });
    if (!request) throw new Error('tracing is on: withSpan must pass its span');
    const relay = createOutboxRelay({ db: fx.tdb.db, js: fx.m.js, logger: fx.m.logger, namespace: fx.m.namespace });
    expect(await relay.flush()).toBe(1);
    const [message] = await readStreamMessages(fx.m.jsm, fx.m.streamName('USERS'), fx.m.subject(userRegisteredV1.type));

    const effect = await tracing.waitForSpan((s) => s.name === 'effect');
    // The consumer's span ends after its handler's (ack included): wait for it too, not only the effect.
    await tracing.waitForSpan((s) => s.name === `process ${userRegisteredV1.type}`);
    const { traceId } = request.spanContext();
    const spans = tracing.spans().filter((s) => s.spanContext().traceId === traceId);
    const byName = (name: string, parent?: string) => spans.find((s) => s.name === name && (parent === undefined || parentIdOf(s) === parent));
    const tx = byName('db transaction', request.spanContext().spanId);
    const publish = byName(`publish ${userRegisteredV1.type}`, tx?.spanContext().spanId);
    expect(publish?.kind).toBe(SpanKind.PRODUCER);
    // The message names the publish span as its parent (W3C traceparent), and the consumer continues it.
    expect(message?.headers.traceparent).toBe(`00-${traceId}-${publish?.spanContext().spanId}-01`);
    const processed = byName(`process ${userRegisteredV1.type}`, publish?.spanContext().spanId);
    expect(processed?.kind).toBe(SpanKind.CONSUMER);
    const handlerTx = byName('db transaction', processed?.spanContext().spanId);
    expect(parentIdOf(effect)).toBe(handlerTx?.spanContext().spanId);
    expect(seen).toHaveLength(1);
  });

  it('publishes an event written outside any trace without a span or a traceparent', async () => {
    const before = tracing.spans().length;
    await registerInTransaction();
    const relay = createOutboxRelay({ db: fx.tdb.db, js: fx.m.js, logger: fx.m.logger, namespace: fx.m.namespace });
    expect(await relay.flush()).toBe(1);
    const [message] = await readStreamMessages(fx.m.jsm, fx.m.streamName('USERS'), fx.m.subject(userRegisteredV1.type));
    expect(message?.headers.traceparent).toBeUndefined();
    expect(message?.headers['x-correlation-id']).toBe('corr-traced');
    // Neither the transaction nor the publish started a trace of its own.
    expect(tracing.spans().slice(before)).toEqual([]);
  });
});
