// The notifications service's outbox writes (in a consumer's inbox transaction, in the delivery
// sender's) wake its relay after the commit: none runs a NOTIFY inside its transaction.
import { randomUUID } from 'node:crypto';
import { notificationSentV1, userRegisteredV1 } from '@platform/contracts';
import { sampleEvent } from '@platform/contracts/testing';
import { listenToOutboxNotifies, readStreamMessages, waitFor, type OutboxNotifies } from '@platform/messaging/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './support/harness.js';

let h: Harness;
let notifies: OutboxNotifies;
beforeAll(async () => {
  h = await createHarness();
  notifies = await listenToOutboxNotifies(h.env.database.sql);
});
afterAll(async () => {
  await notifies?.close();
  await h?.close();
});

describe('notifications outbox writes', () => {
  it('the welcome in-app (inbox transaction) and e-mail (delivery sender) are announced without a NOTIFY in their transactions', async () => {
    const userId = randomUUID();
    await h.publish(sampleEvent(userRegisteredV1.type, { userId, email: `${userId.slice(0, 8)}@example.com`, fullName: 'Wake Up' }));
    const sent = await waitFor(async () => {
      const events = (await readStreamMessages(h.env.messaging.jsm, h.env.messaging.streamName('NOTIFICATIONS'))).map((m) => JSON.parse(m.data));
      const mine = events.filter((e) => e.type === notificationSentV1.type && e.data.userId === userId);
      return mine.length === 2 ? mine : undefined;
    }, { timeoutMs: 15_000 });
    expect(sent.map((e) => e.data.channel).sort()).toEqual(['email', 'in_app']);
    // The marker's NOTIFY, committed after both transactions, arrives first.
    expect(await notifies.count()).toBe(0);
  });
});
