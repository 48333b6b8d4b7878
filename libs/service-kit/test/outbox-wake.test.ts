// createService wakes its relay after every commit of the service's database that enqueued an
// event (a route's or worker's transaction, a consumer's inbox transaction), with no NOTIFY inside.
import { fileURLToPath } from 'node:url';
import { userDeactivatedV1, userLoggedInV1, userRegisteredV1, type EventEnvelope } from '@platform/contracts';
import { sampleEvent } from '@platform/contracts/testing';
import { createLogger } from '@platform/logging';
import { enqueueEvent, toMsgHdrs } from '@platform/messaging';
import { countSubjectMessages, listenToOutboxNotifies, waitFor } from '@platform/messaging/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createService, type Service } from '../src/index.js';
import { countWakes } from './count-wakes.js';
import { createTestServiceEnv, type TestServiceEnv } from '../src/testing/index.js';

const migrationsFolder = fileURLToPath(new URL('../../messaging/test/migrations', import.meta.url));
const logger = createLogger({ service: 'outbox-wake-test', level: 'silent' });

let env: TestServiceEnv;
let service: Service<Record<string, never>>;
let wakes: ReturnType<typeof countWakes>;

beforeAll(async () => {
  env = await createTestServiceEnv('outbox_wake');
  service = await createService({
    config: env.config,
    logger,
    schema: {},
    migrationsFolder,
    consumers: () => [
      {
        name: 'outbox-wake-deactivate',
        stream: 'users',
        contracts: [userRegisteredV1],
        handler: async (event, tx) => {
          const { data, correlationId } = event as EventEnvelope<typeof userRegisteredV1>;
          await enqueueEvent(tx, userDeactivatedV1, { userId: data.userId }, { correlationId });
        },
      },
    ],
  });
  wakes = countWakes(service.ctx.relay);
});
afterAll(async () => {
  await service?.app.close();
  await env?.cleanup();
});

const published = (type: string) => countSubjectMessages(env.messaging.jsm, env.messaging.streamName('USERS'), env.messaging.subject(type));

describe("createService: the service's outbox writes wake its relay after their commit", () => {
  it('a committed transaction wakes the relay once and is published; a rolled-back one wakes nothing; none notifies', async () => {
    const notifies = await listenToOutboxNotifies(env.database.sql);
    try {
      // An event the service's consumer does not take: nothing but this test writes its kind.
      const loggedIn = (tx: Parameters<typeof enqueueEvent>[0], correlationId: string) =>
        enqueueEvent(tx, userLoggedInV1, { userId: '8f8c2a4e-7a7b-4b65-9d3c-3f1f4f0c2b10' }, { correlationId });
      const before = { wakes: wakes.count(), published: await published(userLoggedInV1.type) };
      await expect(
        service.ctx.db.transaction(async (tx) => {
          await loggedIn(tx, 'rolled-back');
          throw new Error('refused');
        }),
      ).rejects.toThrow('refused');
      expect(wakes.count()).toBe(before.wakes);
      await service.ctx.db.transaction((tx) => loggedIn(tx, 'committed'));
      expect(wakes.count()).toBe(before.wakes + 1);
      await waitFor(async () => (await published(userLoggedInV1.type)) === before.published + 1, { timeoutMs: 10_000 });
      expect(await notifies.count()).toBe(0);
    } finally {
      await notifies.close();
    }
  });

  it("a consumer's inbox transaction that enqueued an event wakes the relay after its commit", async () => {
    const notifies = await listenToOutboxNotifies(env.database.sql);
    try {
      const before = { wakes: wakes.count(), published: await published(userDeactivatedV1.type) };
      const event = sampleEvent(userRegisteredV1.type);
      await env.messaging.js.publish(env.messaging.subject(event.type), JSON.stringify(event), { msgID: event.id, headers: toMsgHdrs({ 'x-correlation-id': event.correlationId }) });
      await waitFor(async () => (await published(userDeactivatedV1.type)) === before.published + 1, { timeoutMs: 10_000 });
      expect(wakes.count()).toBeGreaterThan(before.wakes);
      expect(await notifies.count()).toBe(0);
    } finally {
      await notifies.close();
    }
  });
});
