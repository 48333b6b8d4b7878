// Billing payments: requests/s and latency of `POST /invoices/:id/payments` at concurrency 20,
// each request paying a different issued invoice in full with a fresh Idempotency-Key. The billing
// service runs alone (buildApp on a port, its own database and event namespace, test signing
// keys); the invoices are created and issued by an admin through the API before the timed run.
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import { signTestToken } from '@platform/http-kit/testing';
import { createTestServiceEnv } from '@platform/service-kit/testing';
import { buildApp } from '../../apps/billing/src/app.js';
import type { BenchFigure, BenchScenario } from './types.js';

const CONNECTIONS = 20;

/** Runs `task(0..count-1)`, `concurrency` at a time; the results in index order. */
export async function pool<T>(count: number, concurrency: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const index = next++;
        results[index] = await task(index);
      }
    }),
  );
  return results;
}

export const billingPayments: BenchScenario = {
  name: 'billing-payments',
  servers: 'in-process',
  description: 'billing POST /invoices/:id/payments on distinct invoices, billing in the bench process (buildApp)',
  async run({ durationSec, log }) {
    // Enough invoices for the run: the load is a fixed number of payments (one per invoice).
    const payments = Number(process.env.BENCH_BILLING_PAYMENTS ?? Math.max(500, durationSec * 300));
    // The same fresh database, event namespace and signing keys a billing test file gets.
    const env = await createTestServiceEnv('billing', { nodeEnv: 'production', logLevel: 'warn' });
    const { database, keys } = env;
    const app = await buildApp(env.config);
    try {
      await app.listen({ port: 0, host: '127.0.0.1' });
      const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      const admin = `Bearer ${signTestToken(keys, { sub: randomUUID(), role: 'admin' })}`;
      const user = `Bearer ${signTestToken(keys, { sub: randomUUID(), role: 'user' }, { expiresInSec: 3600 })}`;
      const call = async (path: string, authorization: string, body?: unknown) => {
        const response = await fetch(`${base}${path}`, {
          method: 'POST',
          headers: { authorization, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        if (!response.ok) throw new Error(`${path} → ${response.status} ${await response.text()}`);
        return ((await response.json()) as { data: { id: string } }).data;
      };

      const account = await call('/api/v1/billing/accounts', user, { currency: 'EUR' });
      log(`preparing ${payments} issued invoices`);
      const invoiceIds = await pool(payments, CONNECTIONS, async () => {
        const draft = await call('/api/v1/billing/invoices', admin, {
          accountId: account.id,
          dueDate: '2030-12-31',
          lines: [{ description: 'Benchmark', quantity: 1, unitAmountMinor: 1000 }],
        });
        await call(`/api/v1/billing/invoices/${draft.id}/issue`, admin);
        return draft.id;
      });

      log(`paying them: ${CONNECTIONS} connections, one full payment per invoice`);
      let nextInvoice = 0;
      const result = await autocannon({
        url: base,
        connections: CONNECTIONS,
        amount: payments,
        requests: [
          {
            method: 'POST',
            setupRequest: (request) => {
              const id = invoiceIds[nextInvoice++ % invoiceIds.length];
              return {
                ...request,
                path: `/api/v1/billing/invoices/${id}/payments`,
                headers: { authorization: user, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
                body: JSON.stringify({ amountMinor: 1000, method: 'card' }),
              };
            },
          },
        ],
      });
      const [{ paid } = { paid: 0 }] = await database.sql<{ paid: number }[]>`select count(*)::int as paid from invoices where status = 'paid'`;
      const ok = result['2xx'];
      if (ok !== payments || paid !== payments) log(`warning: ${ok} 2xx answers, ${paid} invoices paid, ${result.non2xx} non-2xx`);
      const detail = { connections: CONNECTIONS, payments, p50ms: result.latency.p50, p99ms: result.latency.p99, non2xx: result.non2xx };
      const figures: BenchFigure[] = [
        { scenario: 'billing-payments', name: 'billing POST /invoices/:id/payments (distinct invoices)', metric: 'payments/s', value: Math.round(ok / result.duration), detail },
        { scenario: 'billing-payments', name: 'billing payment latency p99', metric: 'ms', value: result.latency.p99, detail: { p50ms: result.latency.p50, p90ms: result.latency.p90, maxms: result.latency.max } },
      ];
      return figures;
    } finally {
      await app.close();
      await env.cleanup();
    }
  },
};
