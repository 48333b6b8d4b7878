import type { Metrics } from '@platform/metrics';

export type EmailOutcome = 'sent' | 'failed' | 'skipped';

/** Registries already given their series: one counter per app, however many senders and consumers use it. */
const byRegistry = new WeakMap<Metrics, (outcome: EmailOutcome) => void>();

/**
 * `notifications_emails_total{outcome}`: sent (SMTP accepted it), failed (for good: permanent
 * refusal or the last attempt), skipped (the message was for someone inactive or whose
 * preferences turn e-mail off). Retries are not outcomes.
 */
export function emailOutcomes(metrics: Metrics | undefined): (outcome: EmailOutcome) => void {
  if (!metrics) return () => undefined;
  let count = byRegistry.get(metrics);
  if (!count) {
    const emails = metrics.counter({ name: 'notifications_emails_total', help: 'E-mails by outcome.', labelNames: ['outcome'] });
    for (const outcome of ['sent', 'failed', 'skipped']) emails.labels(outcome).inc(0);
    count = (outcome) => emails.labels(outcome).inc();
    byRegistry.set(metrics, count);
  }
  return count;
}

/** For the consumers: an e-mail the message would have had but did not get counts as skipped. */
export function countSkippedEmail(metrics: Metrics | undefined, outcome: { email: boolean }): void {
  if (!outcome.email) emailOutcomes(metrics)('skipped');
}
