import { onRouteResponse, type HttpApp } from '@platform/http-kit';
import type { Metrics } from '@platform/metrics';

/** What the payment route's answers mean: 201 a new payment, 200 an Idempotency-Key replay. */
function paymentOutcome(status: number): 'succeeded' | 'replayed' | 'failed' | undefined {
  if (status === 201) return 'succeeded';
  if (status === 200) return 'replayed';
  // Refused once the caller was known and the request valid: no such invoice, key reused, nothing due...
  if (status === 404 || status === 409 || status === 422 || status >= 500) return 'failed';
  return undefined; // 400 / 401: not a payment attempt
}

/**
 * `billing_payments_total{outcome}` and `billing_invoices_issued_total`, from what the payment
 * and issue routes answered (the handlers stay as they are).
 */
export function billingMetrics(app: HttpApp, metrics: Metrics): void {
  const payments = metrics.counter({ name: 'billing_payments_total', help: 'Payment requests, by outcome (replayed: same Idempotency-Key).', labelNames: ['outcome'] });
  const issued = metrics.counter({ name: 'billing_invoices_issued_total', help: 'Invoices issued.' });
  for (const outcome of ['succeeded', 'failed', 'replayed']) payments.labels(outcome).inc(0);
  onRouteResponse(app, 'POST', '/api/v1/billing/invoices/:id/payments', (status) => {
    const outcome = paymentOutcome(status);
    if (outcome) payments.labels(outcome).inc();
  });
  onRouteResponse(app, 'POST', '/api/v1/billing/invoices/:id/issue', (status) => {
    if (status === 200) issued.inc();
  });
}
