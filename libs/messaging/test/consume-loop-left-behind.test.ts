// A run that a stop() which timed out left behind (a handler stuck, a pull session slow to open)
// must end when it is let go, not consume beside the run of the next start().
import { AsyncLocalStorage } from 'node:async_hooks';
import type { ConsumerMessages, JetStreamClient } from '@nats-io/jetstream';
import { userRegisteredV1 } from '@platform/contracts';
import { sampleEvent } from '@platform/contracts/testing';
import { captureLogs } from '@platform/logging/testing';
import { deferred } from '@platform/resilience/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { consumeLoop, type ConsumeLoop, type ConsumeLoopOptions, type ConsumeSession } from '../src/consume-loop.js';
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
  await Promise.all(loops.splice(0).map((loop) => loop.stop()));
  await m?.cleanup();
});

/** Which start() a step runs for: each start() runs in a context of its own, which its loop carries along. */
const startOf = new AsyncLocalStorage<string>();

/** A message handled, by which start()'s run, and whether that run had been told to stop by then. */
interface Handled {
  start: string | undefined;
  seq: number;
  stopping: boolean;
}

function loopFor(name: string, extra: Partial<ConsumeLoopOptions> & Pick<ConsumeLoopOptions, 'process'>) {
  const stream = resolveStream('users', m.namespace);
  const durable = durableConsumer(m.jsm, stream, name, { filterSubjects: stream.subjects.slice(0, 1), ackWaitMs: 30_000 }, m.logger);
  const logs = captureLogs('messaging-test', 'info');
  const loop = consumeLoop({ js: m.js, stream: stream.name, name, logger: logs.logger, maxMessages: 10, label: 'consumer', stopTimeoutMs: 50, ensure: () => durable.ensure(), ...extra });
  loops.push(loop);
  return { loop, logs };
}

const publish = async () => (await m.js.publish(m.subject(userRegisteredV1.type), JSON.stringify(sampleEvent('users.user.registered.v1')))).seq;
const timedOut = 'consumer stopped with work still in flight: its messages are redelivered';

describe('consume loop: a run left behind by a stop() that timed out', () => {
  it('a handler stuck past the stop sees its own run stopped after a restart, ends, and the next run consumes alone', async () => {
    const handled: Handled[] = [];
    const returned: Array<{ start: string | undefined; stopping: boolean; aborted: boolean }> = [];
    const handlerBegun = deferred();
    const handlerHeld = deferred();
    const { loop, logs } = loopFor('left-behind-handler', {
      async process(messages: ConsumerMessages, session: ConsumeSession) {
        for await (const msg of messages) {
          if (handled.length === 0) {
            handlerBegun.resolve();
            await handlerHeld.promise; // a handler whose database call does not return before stop() gives up
          }
          handled.push({ start: startOf.getStore(), seq: msg.seq, stopping: session.stopping() });
          msg.ack();
        }
        returned.push({ start: startOf.getStore(), stopping: session.stopping(), aborted: session.signal.aborted });
      },
    });
    try {
      await startOf.run('first', () => loop.start());
      const first = await publish();
      await handlerBegun.promise;
      await loop.stop();
      expect(logs.lines.map((line) => line.msg)).toContain(timedOut);

      await startOf.run('second', () => loop.start());
      handlerHeld.resolve();
      // The first run's handler finishes its message and its session (closed by the stop) ends:
      // it still sees its own run stopped, though a start() has come since.
      await waitFor(() => returned.length === 1, { timeoutMs: 5_000 });
      expect(returned).toEqual([{ start: 'first', stopping: true, aborted: true }]);

      const second = await publish();
      await waitFor(() => handled.length === 2, { timeoutMs: 10_000 });
      expect(handled).toEqual([
        { start: 'first', seq: first, stopping: true },
        { start: 'second', seq: second, stopping: false },
      ]);
    } finally {
      handlerHeld.resolve();
    }
  });

  it('a pull session that opens after the stop is closed unused by its run, which ends; the next run consumes alone', async () => {
    const handled: Handled[] = [];
    const lateSessions: Array<{ closed: boolean }> = [];
    const openBegun = deferred();
    const openHeld = deferred();
    let opens = 0;
    // The real consumers API; the first run's first lookup of its consumer is held past the stop.
    const js = new Proxy(m.js, {
      get(target, key, receiver) {
        if (key !== 'consumers') return Reflect.get(target, key, receiver);
        const consumers = target.consumers;
        return {
          async get(...args: Parameters<JetStreamClient['consumers']['get']>) {
            const held = ++opens === 1;
            if (held) {
              openBegun.resolve();
              await openHeld.promise;
            }
            const consumer = await consumers.get(...args);
            if (!held) return consumer;
            // The session this run opens late: watched until it is closed.
            return Object.assign(Object.create(consumer) as typeof consumer, {
              async consume(...opts: Parameters<typeof consumer.consume>) {
                const session = await consumer.consume(...opts);
                const late = { closed: false };
                lateSessions.push(late);
                // Its close() called, not its closed(): that of a session which has not pulled yet
                // resolves only once its first pull would have expired.
                const close = session.close.bind(session);
                session.close = () => {
                  late.closed = true;
                  return close();
                };
                return session;
              },
            });
          },
        };
      },
    }) as JetStreamClient;
    const { loop, logs } = loopFor('left-behind-opening', {
      js,
      async process(messages: ConsumerMessages, session: ConsumeSession) {
        for await (const msg of messages) {
          handled.push({ start: startOf.getStore(), seq: msg.seq, stopping: session.stopping() });
          msg.ack();
        }
      },
    });
    try {
      await startOf.run('first', () => loop.start());
      await openBegun.promise;
      await loop.stop();
      expect(logs.lines.map((line) => line.msg)).toContain(timedOut);

      await startOf.run('second', () => loop.start());
      const first = await publish();
      openHeld.resolve();
      // The first run opens its session now, after its stop: it closes it without pulling from it.
      await waitFor(() => lateSessions[0]?.closed, { timeoutMs: 5_000 });
      expect(lateSessions).toHaveLength(1);

      const second = await publish();
      await waitFor(() => handled.length === 2, { timeoutMs: 10_000 });
      expect(handled).toEqual([
        { start: 'second', seq: first, stopping: false },
        { start: 'second', seq: second, stopping: false },
      ]);
    } finally {
      openHeld.resolve();
    }
  });
});
