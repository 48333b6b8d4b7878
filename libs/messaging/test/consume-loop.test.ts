import { userRegisteredV1 } from '@platform/contracts';
import { sampleEvent } from '@platform/contracts/testing';
import { captureLogs } from '@platform/logging/testing';
import { deferred } from '@platform/resilience/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { consumeLoop, type ConsumeLoop } from '../src/consume-loop.js';
import { durableConsumer } from '../src/durable-consumer.js';
import { resolveStream } from '../src/index.js';
import { createTestMessaging, waitFor, type TestMessaging } from '../src/testing/index.js';

let m: TestMessaging;
const loops: ConsumeLoop[] = [];

beforeEach(async () => {
  m = await createTestMessaging();
  await m.ensureStreams();
});

afterEach(async () => {
  // Without the fix the loop is left pulling: stop it, so it does not outlive the connection.
  await Promise.all(loops.splice(0).map((loop) => loop.stop()));
  await m?.cleanup();
});

describe('consume loop', () => {
  it('a stop() while start() is still creating the durable consumer keeps it stopped: nothing published later is consumed', async () => {
    const stream = resolveStream('users', m.namespace);
    const name = 'stopped-during-set-up';
    const durable = durableConsumer(m.jsm, stream, name, { filterSubjects: stream.subjects.slice(0, 1), ackWaitMs: 30_000 }, m.logger);
    const logs = captureLogs('messaging-test', 'info');
    const setUpBegun = deferred();
    const setUpHeld = deferred();
    let processed = 0;
    const loop = consumeLoop({
      js: m.js,
      stream: stream.name,
      name,
      logger: logs.logger,
      maxMessages: 10,
      label: 'consumer',
      ensure: async () => {
        setUpBegun.resolve();
        await setUpHeld.promise;
        await durable.ensure();
      },
      async process(messages) {
        for await (const msg of messages) {
          processed++;
          msg.ack();
        }
      },
    });
    loops.push(loop);

    // app.close() during boot: start() is inside ensure() when stop() comes.
    const starting = loop.start();
    await setUpBegun.promise;
    await loop.stop();
    setUpHeld.resolve();
    await starting;
    expect(logs.lines.map((line) => line.msg)).toEqual(['consumer stopped']);

    // Published after the stop, it is still there for another client of the same durable, on its
    // first delivery: a loop pulling after all would have taken it first (and this wait time out).
    const { seq } = await m.js.publish(m.subject(userRegisteredV1.type), JSON.stringify(sampleEvent('users.user.registered.v1')));
    const other = await m.js.consumers.get(stream.name, name);
    const msg = await waitFor(() => other.next({ expires: 1_000 }), { timeoutMs: 10_000 });
    msg.ack();
    expect({ seq: msg.seq, deliveryCount: msg.info.deliveryCount }).toEqual({ seq, deliveryCount: 1 });
    expect(processed).toBe(0);
  });
});
