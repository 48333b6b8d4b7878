import type { Quiescence } from '../../apps/e2e/src/quiescence.js';
import type { SmtpSink } from '../../apps/e2e/src/smtp.js';

/**
 * Before notifications is SIGKILLed: SMTP refuses new mail and every e-mail it accepted is
 * recorded, so none is between "accepted" and "committed" when the process dies. That window is
 * the one documented way to a second copy (apps/notifications/README.md): an early run without
 * this guard got 2 duplicate e-mails (of ~1,600) from that kill. The caller sets `smtp.mode` back.
 */
export async function noEmailInFlight(smtp: SmtpSink, quiet: Quiescence): Promise<void> {
  smtp.mode = 'reject';
  const { sql } = quiet.db('notifications');
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 50))) {
    const [sent] = await sql<{ n: number }[]>`select count(*)::int as n from deliveries where status = 'sent'`;
    if (smtp.inFlight === 0 && sent?.n === new Set(smtp.received.map((m) => m.messageId)).size) return;
  }
  throw new Error('e-mails accepted by SMTP were not recorded within 30 s');
}
