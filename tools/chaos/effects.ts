// After the run, once the platform is quiet: every source row (a registered user, a payment) must
// have each of its effects in every database exactly once, and every e-mail must have gone out
// once. Lost = an effect missing, duplicated = an effect more than once.
import { deadLetterStream } from '@platform/contracts';
import type { DbHandle } from '@platform/db-kit';
import { namespacedStream, type NatsHandle } from '@platform/messaging';
import type { SmtpSink } from '../../apps/e2e/src/smtp.js';

export interface EffectReport {
  users: number;
  payments: number;
  /** Effects checked (one per source row and downstream table). */
  effects: number;
  lost: number;
  duplicated: number;
  /** E-mails received more than once (same Message-ID). */
  duplicateEmails: number;
  deadLetters: number;
  details: string[];
}

type Db = (service: 'users' | 'billing' | 'notifications' | 'analytics') => DbHandle;

/** How many of `ids` have 0 and more than 1 rows in `counts` (id → count). */
function tallyOnce(label: string, ids: string[], counts: Map<string, number>, report: EffectReport): void {
  let lost = 0;
  let duplicated = 0;
  for (const id of ids) {
    const n = counts.get(id) ?? 0;
    if (n === 0) lost++;
    if (n > 1) duplicated += n - 1;
  }
  report.effects += ids.length;
  report.lost += lost;
  report.duplicated += duplicated;
  if (lost || duplicated) report.details.push(`${label}: ${lost} lost, ${duplicated} duplicated of ${ids.length}`);
}

const countsBy = (rows: Array<{ id: string; n: number }>) => new Map(rows.map((r) => [r.id, Number(r.n)]));

export async function checkEffects(db: Db, nats: NatsHandle, namespace: string, smtp: SmtpSink, adminEmail: string): Promise<EffectReport> {
  const report: EffectReport = { users: 0, payments: 0, effects: 0, lost: 0, duplicated: 0, duplicateEmails: 0, deadLetters: 0, details: [] };
  const users = (await db('users').sql<{ id: string }[]>`select id from users where email <> ${adminEmail}`).map((r) => r.id);
  const payments = await db('billing').sql<{ id: string; invoice_id: string }[]>`select id, invoice_id from payments`;
  report.users = users.length;
  report.payments = payments.length;
  const paymentIds = payments.map((p) => p.id);

  tallyOnce('billing user projection', users, countsBy(await db('billing').sql`select user_id as id, count(*)::int as n from billing_users group by user_id`), report);
  tallyOnce(
    'welcome in-app',
    users,
    countsBy(await db('notifications').sql`select user_id as id, count(*)::int as n from notifications where template = 'welcome' and channel = 'in_app' group by user_id`),
    report,
  );
  const welcomes = await db('notifications').sql<{ id: string; user_id: string; status: string }[]>`select id, user_id, status from deliveries where template = 'welcome'`;
  tallyOnce('welcome e-mail delivery', users, countsBy(Object.entries(groupCount(welcomes.map((d) => d.user_id))).map(([id, n]) => ({ id, n }))), report);
  const notSent = welcomes.filter((d) => d.status !== 'sent');
  if (notSent.length) {
    report.lost += notSent.length;
    report.details.push(`welcome e-mails not sent: ${notSent.length} (${[...new Set(notSent.map((d) => d.status))].join(', ')})`);
  }
  const received = groupCount(smtp.received.map((m) => m.messageId ?? 'none'));
  for (const delivery of welcomes.filter((d) => d.status === 'sent')) {
    const n = received[`<${delivery.id}@platform.local>`] ?? 0;
    if (n === 0) report.lost++;
    if (n > 1) {
      report.duplicateEmails += n - 1;
      const times = smtp.received.filter((m) => m.messageId === `<${delivery.id}@platform.local>`).map((m) => m.receivedAt.toISOString().slice(11, 23));
      report.details.push(`e-mail ${delivery.id} received ${n} times: ${times.join(', ')}`);
    }
  }
  report.effects += welcomes.length;
  tallyOnce(
    'analytics users.user.registered',
    users,
    countsBy(await db('analytics').sql`select data->>'userId' as id, count(*)::int as n from events where type = 'users.user.registered.v1' group by 1`),
    report,
  );
  // Receipts are keyed by the payment event; the analytics log knows which event carried which payment.
  const paymentEvents = await db('analytics').sql<{ id: string; event_id: string }[]>`select data->>'paymentId' as id, event_id::text from events where type = 'billing.payment.received.v1'`;
  tallyOnce('analytics billing.payment.received', paymentIds, countsBy(Object.entries(groupCount(paymentEvents.map((e) => e.id))).map(([id, n]) => ({ id, n }))), report);
  const receipts = countsBy(
    await db('notifications').sql`select source_event_id::text as id, count(*)::int as n from notifications where template = 'payment_receipt' and channel = 'in_app' group by 1`,
  );
  const receiptsByPayment = new Map(paymentEvents.map((e) => [e.id, receipts.get(e.event_id) ?? 0]));
  tallyOnce('payment receipt in-app', paymentIds, receiptsByPayment, report);
  const charges = groupCount(payments.map((p) => p.invoice_id));
  const doubleCharges = Object.values(charges).filter((n) => n > 1).length;
  if (doubleCharges) {
    report.duplicated += doubleCharges;
    report.details.push(`invoices paid more than once: ${doubleCharges}`);
  }

  const dlq = await nats.jsm.streams.info(namespacedStream(deadLetterStream.name, namespace)).catch(() => undefined);
  report.deadLetters = dlq?.state.messages ?? 0;
  return report;
}

function groupCount(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}
