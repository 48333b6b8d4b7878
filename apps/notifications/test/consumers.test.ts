import { randomUUID } from 'node:crypto';
import {
  invoiceIssuedV1,
  notificationSentV1,
  paymentReceivedV1,
  userDeactivatedV1,
  userPasswordChangedV1,
  userRegisteredV1,
  userUpdatedV1,
} from '@platform/contracts';
import { sampleEvent } from '@platform/contracts/testing';
import { refuseWrites } from '@platform/db-kit/testing';
import { readStreamMessages, waitFor, waitForConsumersIdle } from '@platform/messaging/testing';
import { sampleValue } from '@platform/metrics/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recipientsRepository } from '../src/data/recipients-repository.js';
import { deliveries, notifications, preferences, recipients } from '../src/data/schema.js';
import { deliverMessage } from '../src/use-cases/deliver-message.js';
import { createHarness, type Harness } from './support/harness.js';

let h: Harness;
const db = () => h.env.database.db;
const mailsTo = (address: string) => h.smtp.received.filter((m) => m.to.includes(address));
const notificationsOf = (userId: string) => db().select().from(notifications).where(eq(notifications.userId, userId));
const deliveriesOf = (userId: string) => db().select().from(deliveries).where(eq(deliveries.userId, userId));
/**
 * Every consumer has handled everything published so far (acked, nothing pending or awaiting a
 * redelivery): from here, an effect that has not happened will not happen.
 */
const consumersDone = () =>
  waitForConsumersIdle(h.env.messaging.jsm, [h.env.messaging.streamName('USERS'), h.env.messaging.streamName('BILLING')], { timeoutMs: 15_000 });

async function register(fullName = 'Ada Lovelace') {
  const userId = randomUUID();
  const email = `${userId.slice(0, 8)}@example.com`;
  const event = sampleEvent(userRegisteredV1.type, { userId, email, fullName });
  await h.publish(event);
  await waitFor(() => mailsTo(email).length === 1, { timeoutMs: 15_000 });
  return { userId, email, event };
}

beforeAll(async () => {
  h = await createHarness();
});

afterAll(async () => {
  await h?.close();
});

describe(userRegisteredV1.type, () => {
  it('sends the welcome in-app and by e-mail, stores the recipient and default preferences', async () => {
    const { userId, email } = await register();
    const rows = await notificationsOf(userId);
    expect(rows.map((r) => [r.channel, r.template]).sort()).toEqual([['email', 'welcome'], ['in_app', 'welcome']]);
    const [mail] = mailsTo(email);
    expect(mail).toMatchObject({ from: 'no-reply@platform.local', subject: 'Welcome to the Platform' });
    expect(mail!.text).toContain('Hello Ada Lovelace,');
    expect(mail!.html).toContain('<p>Hello Ada Lovelace,</p>');
    await waitFor(async () => (await deliveriesOf(userId))[0]?.status === 'sent');
    const [delivery] = await deliveriesOf(userId);
    expect(delivery).toMatchObject({ to: email, template: 'welcome', status: 'sent', attempts: 1, lastError: null });
    expect(delivery!.sentAt).toBeInstanceOf(Date);
    expect(await db().select().from(recipients).where(eq(recipients.userId, userId))).toEqual([
      expect.objectContaining({ email, fullName: 'Ada Lovelace', active: true }),
    ]);
    expect(await db().select().from(preferences).where(eq(preferences.userId, userId))).toEqual([
      expect.objectContaining({ emailBilling: true, emailMarketing: false, inAppBilling: true, inAppMarketing: true }),
    ]);
    // Both channels are announced: in-app at once, e-mail once the SMTP server took it.
    const emailNotification = (await notificationsOf(userId)).find((n) => n.channel === 'email')!;
    const sent = await waitFor(async () => {
      const events = await readStreamMessages(h.env.messaging.jsm, h.env.messaging.streamName('NOTIFICATIONS'));
      const mine = events.map((m) => JSON.parse(m.data)).filter((e) => e.data.userId === userId);
      return mine.length === 2 ? mine : undefined;
    });
    expect(sent.map((e) => e.type)).toEqual([notificationSentV1.type, notificationSentV1.type]);
    expect(sent.map((e) => e.data.channel).sort()).toEqual(['email', 'in_app']);
    expect(sent.find((e) => e.data.channel === 'email')!.data).toMatchObject({ notificationId: emailNotification.id, template: 'welcome' });
  });

  it('escapes the name in HTML and keeps it as typed in the text body', async () => {
    const { email } = await register('<script>alert(1)</script>');
    const [mail] = mailsTo(email);
    expect(mail!.html).not.toContain('<script>');
    expect(mail!.html).toContain('Hello &lt;script&gt;alert(1)&lt;/script&gt;,');
    expect(mail!.text).toContain('Hello <script>alert(1)</script>,');
  });

  it('gives one notification and one e-mail for an event delivered twice (redelivery and duplicate publish)', async () => {
    const userId = randomUUID();
    const email = `dup-${userId.slice(0, 8)}@example.com`;
    const event = sampleEvent(userRegisteredV1.type, { userId, email });
    await h.publish(event); // first
    await h.publish(event); // same Nats-Msg-Id: the stream's duplicate window drops it
    await h.publish(event, randomUUID()); // same event under another message id: stored again, the inbox drops it
    await waitFor(() => mailsTo(email).length >= 1, { timeoutMs: 15_000 });
    await consumersDone();
    // Its one delivery is settled, so the sender has nothing more to send for this user.
    await waitFor(async () => (await deliveriesOf(userId)).every((d) => d.status === 'sent'));
    expect(mailsTo(email)).toHaveLength(1);
    expect(await notificationsOf(userId)).toHaveLength(2); // in_app + email
    expect(await deliveriesOf(userId)).toHaveLength(1);
  });
});

describe(`${userUpdatedV1.type} and ${userDeactivatedV1.type}`, () => {
  it('keeps the address current, ignores an older event, and sends nothing to a deactivated user', async () => {
    const { userId, email, event } = await register();
    const later = new Date(Date.parse(event.occurredAt) + 60_000);
    const newEmail = `new-${email}`;
    const updated = sampleEvent(userUpdatedV1.type, { userId, email: newEmail, fullName: 'Ada King', role: 'user' });
    await h.publish({ ...updated, occurredAt: later.toISOString() });
    const stale = sampleEvent(userUpdatedV1.type, { userId, email: 'stale@example.com', fullName: 'Old Name', role: 'user' });
    await h.publish({ ...stale, occurredAt: new Date(Date.parse(event.occurredAt) + 1_000).toISOString() });
    await waitFor(async () => (await db().select().from(recipients).where(eq(recipients.userId, userId)))[0]?.email === newEmail);
    await consumersDone();
    expect((await db().select().from(recipients).where(eq(recipients.userId, userId)))[0]).toMatchObject({ email: newEmail, fullName: 'Ada King' });

    // The next message goes to the new address, with the new name.
    await h.publish(sampleEvent(userPasswordChangedV1.type, { userId }));
    await waitFor(() => mailsTo(newEmail).length === 1, { timeoutMs: 15_000 });
    expect(mailsTo(newEmail)[0]!.text).toContain('Hello Ada King,');

    await h.publish({ ...sampleEvent(userDeactivatedV1.type, { userId }), occurredAt: new Date(later.getTime() + 60_000).toISOString() });
    await waitFor(async () => (await db().select().from(recipients).where(eq(recipients.userId, userId)))[0]?.active === false);
    const before = (await notificationsOf(userId)).length;
    await h.publish(sampleEvent(invoiceIssuedV1.type, { userId }));
    await h.publish(sampleEvent(userPasswordChangedV1.type, { userId }));
    await consumersDone();
    expect(await notificationsOf(userId)).toHaveLength(before);
    expect(mailsTo(newEmail)).toHaveLength(1);
  });
});

describe(userPasswordChangedV1.type, () => {
  it('sends the security notice on both channels even with every preference off', async () => {
    const { userId, email } = await register();
    await db().update(preferences).set({ emailBilling: false, emailMarketing: false, inAppBilling: false, inAppMarketing: false }).where(eq(preferences.userId, userId));
    await h.publish(sampleEvent(userPasswordChangedV1.type, { userId }));
    await waitFor(() => mailsTo(email).length === 2, { timeoutMs: 15_000 });
    expect(mailsTo(email)[1]!.subject).toBe('Your password was changed');
    const security = (await notificationsOf(userId)).filter((n) => n.template === 'password_changed');
    expect(security.map((n) => n.channel).sort()).toEqual(['email', 'in_app']);
  });
});

describe('billing events', () => {
  it('notifies an issued invoice with its number, formatted total and due date', async () => {
    const { userId, email } = await register();
    await h.publish(sampleEvent(invoiceIssuedV1.type, { userId, number: 'INV-000042', totalMinor: 123_456, currency: 'EUR', dueDate: '2030-01-31' }));
    await waitFor(() => mailsTo(email).length === 2, { timeoutMs: 15_000 });
    const mail = mailsTo(email)[1]!;
    expect(mail.subject).toBe('Invoice INV-000042 issued');
    expect(mail.text).toContain('Invoice INV-000042 for €1,234.56 has been issued, due on 2030-01-31.');
    expect(mail.html).toContain('€1,234.56');
    const inApp = (await notificationsOf(userId)).find((n) => n.channel === 'in_app' && n.template === 'invoice_issued');
    expect(inApp).toMatchObject({ title: 'Invoice INV-000042 issued', body: 'Invoice INV-000042 for €1,234.56 has been issued, due on 2030-01-31.' });
  });

  it('sends a receipt with the amount', async () => {
    const { userId, email } = await register();
    await h.publish(sampleEvent(paymentReceivedV1.type, { userId, amountMinor: 500, currency: 'USD' }));
    await waitFor(() => mailsTo(email).length === 2, { timeoutMs: 15_000 });
    expect(mailsTo(email)[1]).toMatchObject({ subject: 'Payment received' });
    expect(mailsTo(email)[1]!.text).toContain('We received your payment of $5.00.');
    expect((await notificationsOf(userId)).filter((n) => n.template === 'payment_receipt')).toHaveLength(2);
  });

  it('respects preferences: billing e-mail off → no invoice e-mail, the in-app one still comes', async () => {
    const emails = async (outcome: string) => sampleValue((await h.app.inject({ method: 'GET', url: '/metrics' })).body, 'notifications_emails_total', { outcome });
    await consumersDone();
    const [sentBefore, skippedBefore] = [await emails('sent'), await emails('skipped')];
    const { userId, email } = await register();
    await db().update(preferences).set({ emailBilling: false }).where(eq(preferences.userId, userId));
    await h.publish(sampleEvent(invoiceIssuedV1.type, { userId }));
    await waitFor(async () => (await notificationsOf(userId)).some((n) => n.template === 'invoice_issued'));
    await consumersDone();
    expect((await notificationsOf(userId)).filter((n) => n.template === 'invoice_issued').map((n) => n.channel)).toEqual(['in_app']);
    expect(mailsTo(email)).toHaveLength(1); // the welcome only
    expect((await emails('skipped')) - skippedBefore).toBe(1);
    await waitFor(async () => (await emails('sent')) - sentBefore >= 1);

    await db().update(preferences).set({ emailBilling: true, inAppBilling: false }).where(eq(preferences.userId, userId));
    await h.publish(sampleEvent(paymentReceivedV1.type, { userId }));
    await waitFor(() => mailsTo(email).length === 2, { timeoutMs: 15_000 });
    expect((await notificationsOf(userId)).filter((n) => n.template === 'payment_receipt').map((n) => n.channel)).toEqual(['email']);
  });

  it('keeps the message of a user not known yet, and mails it once the registration arrives', async () => {
    const userId = randomUUID();
    const email = `late-${userId.slice(0, 8)}@example.com`;
    await h.publish(sampleEvent(invoiceIssuedV1.type, { userId, number: 'INV-000077' }));
    await waitFor(async () => (await deliveriesOf(userId)).length === 1);
    await consumersDone();
    expect((await deliveriesOf(userId))[0]).toMatchObject({ to: null, status: 'pending', attempts: 0 });
    expect((await notificationsOf(userId)).map((n) => n.channel).sort()).toEqual(['email', 'in_app']);

    await h.publish(sampleEvent(userRegisteredV1.type, { userId, email, fullName: 'Late Comer' }));
    await waitFor(() => mailsTo(email).length === 2, { timeoutMs: 15_000 });
    expect(mailsTo(email).map((m) => m.subject).sort()).toEqual(['Invoice INV-000077 issued', 'Welcome to the Platform']);
  });
});

describe('recipient upsert', () => {
  it('readdresses pending e-mails only when the snapshot applies: an older one changes neither the recipient nor the e-mails', async () => {
    const userId = randomUUID();
    const source = { eventId: randomUUID(), correlationId: 'test', userId };
    const build = () => ({ template: 'payment_receipt' as const, fullName: null, amountMinor: 100, currency: 'EUR' });
    const snapshot = (email: string, second: number) => ({ userId, email, fullName: 'R', role: 'user', active: true, occurredAt: new Date(Date.UTC(2030, 0, 1, 0, 0, second)) });
    // One transaction: the delivery sender cannot take the e-mail between the steps.
    const seen = await db().transaction(async (tx) => {
      await deliverMessage(tx, source, build); // unknown user: pending, no address
      const repository = recipientsRepository(tx);
      const newer = await repository.upsertIfNewer(snapshot('newer@example.com', 2));
      const older = await repository.upsertIfNewer(snapshot('older@example.com', 1));
      const [delivery] = await tx.select().from(deliveries).where(eq(deliveries.userId, userId));
      const [recipient] = await tx.select().from(recipients).where(eq(recipients.userId, userId));
      return { newer, older, to: delivery?.to, email: recipient?.email };
    });
    expect(seen).toEqual({ newer: true, older: false, to: 'newer@example.com', email: 'newer@example.com' });
  });
});

describe('a recipient upsert the database refuses (sent with the COMMIT)', () => {
  it('is retried against its event, keeps neither the upsert nor the inbox mark, and applies once accepted', async () => {
    const sql = h.env.database.sql;
    const refusal = await refuseWrites(sql, 'recipients', "new.email = 'refused@example.com'");
    const attempts = refusal.attempts;
    const inboxOf = async (eventId: string) => (await sql`select count(*)::int as n from inbox where event_id = ${eventId} and consumer = 'notifications-keep-recipients-current'`)[0]?.n;
    const recipientOf = async (userId: string) => (await db().select().from(recipients).where(eq(recipients.userId, userId)))[0];
    const userId = randomUUID();
    const refused = sampleEvent(userUpdatedV1.type, { userId, email: 'refused@example.com', isActive: true });
    await h.publish(refused);
    await waitFor(async () => (await attempts()) >= 2, { timeoutMs: 10_000 });
    // Another user's update goes through meanwhile: only the refused event is held back.
    const other = sampleEvent(userUpdatedV1.type, { userId: randomUUID(), email: 'other@example.com', isActive: true });
    await h.publish(other);
    await waitFor(async () => (await recipientOf(other.data.userId))?.email === 'other@example.com');
    expect(await recipientOf(userId)).toBeUndefined();
    expect(await inboxOf(refused.id)).toBe(0);

    await refusal.lift();
    await waitFor(async () => (await recipientOf(userId))?.email === 'refused@example.com', { timeoutMs: 15_000 });
    await consumersDone();
    expect(await inboxOf(refused.id)).toBe(1);
  });
});

describe('second guard', () => {
  it('the unique (source event, channel, template) key stops a repeat even without the inbox', async () => {
    const userId = randomUUID();
    const source = { eventId: randomUUID(), correlationId: 'test', userId };
    const build = () => ({ template: 'payment_receipt' as const, fullName: null, amountMinor: 100, currency: 'EUR' });
    const first = await db().transaction((tx) => deliverMessage(tx, source, build, { email: 'guard@example.com' }));
    const second = await db().transaction((tx) => deliverMessage(tx, source, build, { email: 'guard@example.com' }));
    expect(first).toEqual({ inApp: true, email: true });
    expect(second).toEqual({ inApp: false, email: false });
    expect(await notificationsOf(userId)).toHaveLength(2);
    expect(await deliveriesOf(userId)).toHaveLength(1);
  });
});
