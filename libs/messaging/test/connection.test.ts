import { createLogger } from '@platform/logging';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectNats, ensureStreams } from '../src/index.js';
import { createTestMessaging, defaultTestNatsUrl, type TestMessaging } from '../src/testing/index.js';

const logger = createLogger({ service: 'messaging-test', level: 'silent' });

describe('connectNats', () => {
  it('pings, and a deliberate drain is not an unexpected close', async () => {
    let unexpected = 0;
    const nats = await connectNats({ servers: defaultTestNatsUrl, name: 'conn-test', logger, onUnexpectedClose: () => unexpected++ });
    await expect(nats.ping()).resolves.toBeUndefined();
    await nats.drain();
    // The close callbacks (connectNats' own first) have run once closed() resolves here.
    await nats.nc.closed();
    expect(unexpected).toBe(0);
    await expect(nats.ping()).rejects.toThrow(/closed/);
  });

  it('fails fast when the server is unreachable', async () => {
    const started = Date.now();
    await expect(connectNats({ servers: 'nats://127.0.0.1:1', name: 'down', logger, timeoutMs: 1_000 })).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});

describe('ensureStreams', () => {
  let m: TestMessaging;
  beforeAll(async () => {
    m = await createTestMessaging();
  });
  afterAll(() => m?.cleanup());

  it('creates every producing stream and the dead-letter stream, idempotently', async () => {
    const first = await ensureStreams({ jsm: m.jsm, namespace: m.namespace, storage: 'memory' });
    expect(first.map((s) => s.name)).toEqual(
      ['USERS', 'BILLING', 'NOTIFICATIONS', 'DEAD_LETTERS'].map((n) => m.streamName(n)),
    );
    await Promise.all([
      ensureStreams({ jsm: m.jsm, namespace: m.namespace, storage: 'memory', duplicateWindowMs: 60_000 }),
      ensureStreams({ jsm: m.jsm, namespace: m.namespace, storage: 'memory', duplicateWindowMs: 60_000 }),
    ]);
    const info = await m.jsm.streams.info(m.streamName('USERS'));
    expect(info.config.subjects).toEqual([`${m.namespace}.users.>`]);
    expect(info.config.duplicate_window).toBe(60_000 * 1_000_000);
    const dlq = await m.jsm.streams.info(m.streamName('DEAD_LETTERS'));
    expect(dlq.config.subjects).toEqual([`${m.namespace}.dlq.>`]);
  });

  it('deduplicates a repeated Nats-Msg-Id inside the window', async () => {
    const subject = m.subject('users.user.logged_in.v1');
    const a = await m.js.publish(subject, '{}', { msgID: 'same-id' });
    const b = await m.js.publish(subject, '{}', { msgID: 'same-id' });
    expect(b.duplicate).toBe(true);
    expect(b.seq).toBe(a.seq);
  });
});
