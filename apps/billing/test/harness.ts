import { randomUUID } from 'node:crypto';
import type { EventType } from '@platform/contracts';
import { sampleEvent } from '@platform/contracts/testing';
import type { HttpApp } from '@platform/http-kit';
import { bearer, expectEnvelope, type ParsedEnvelope } from '@platform/http-kit/testing';
import { countSubjectMessages, waitFor } from '@platform/messaging/testing';
import { createTestServiceEnv, type TestServiceEnv } from '@platform/service-kit/testing';
import { buildApp } from '../src/app.js';

export interface Caller {
  id: string;
  token: string;
  headers: { authorization: string };
}

export interface Harness {
  env: TestServiceEnv;
  app: HttpApp;
  /** A caller with a fresh user id and a valid token (nothing about them is known to billing yet). */
  caller(role?: 'user' | 'moderator' | 'admin'): Promise<Caller>;
  request(method: 'GET' | 'POST', url: string, caller: Caller | null, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  /** Row counts of the tables a bad request must leave untouched. */
  counts(): Promise<Record<string, number>>;
  /** Publishes a users event into this file's namespace, as the users service would. */
  publishUserEvent<T extends EventType>(type: T, data: Record<string, unknown>, occurredAt?: Date): Promise<string>;
  /** Waits until the projection consumer has handled `count` events. */
  waitForInbox(count: number): Promise<void>;
  /** How many messages with this billing event type the namespace's BILLING stream holds. */
  billingEvents(type: string): Promise<number>;
  close(): Promise<void>;
}

interface Response {
  statusCode: number;
  body: string;
  headers: Record<string, string | string[] | number | undefined>;
  json(): unknown;
}

export async function startHarness(): Promise<Harness> {
  const env = await createTestServiceEnv('billing');
  const app = await buildApp(env.config);
  return {
    env,
    app,
    async caller(role = 'user') {
      const id = randomUUID();
      const token = await env.token({ sub: id, role });
      return { id, token, headers: bearer(token) };
    },
    async request(method, url, caller, body, headers = {}) {
      return app.inject({
        method,
        url,
        headers: { ...(caller?.headers ?? {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        ...(body === undefined ? {} : { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
    },
    async counts() {
      const rows = await env.database.sql<{ name: string; n: string }[]>`
        select 'accounts' as name, count(*) as n from accounts
        union all select 'invoices', count(*) from invoices
        union all select 'invoice_lines', count(*) from invoice_lines
        union all select 'payments', count(*) from payments
        union all select 'idempotency_keys', count(*) from idempotency_keys
        union all select 'outbox', count(*) from outbox
        union all select 'billing_users', count(*) from billing_users`;
      return Object.fromEntries(rows.map((r) => [r.name, Number(r.n)]));
    },
    async publishUserEvent(type, data, occurredAt) {
      const event = { ...sampleEvent(type, data as never), ...(occurredAt ? { occurredAt: occurredAt.toISOString() } : {}) };
      await env.messaging.js.publish(env.messaging.subject(event.type), JSON.stringify(event), { msgID: event.id });
      return event.id;
    },
    async waitForInbox(count) {
      await waitFor(
        async () => {
          const [row] = await env.database.sql<{ n: string }[]>`select count(*) as n from inbox where consumer = 'billing-project-users'`;
          return Number(row?.n) >= count;
        },
        { timeoutMs: 15_000 },
      );
    },
    async billingEvents(type) {
      return countSubjectMessages(env.messaging.jsm, env.messaging.streamName('BILLING'), env.messaging.subject(type)).catch(() => 0);
    },
    async close() {
      await app.close();
      await env.cleanup();
    },
  };
}

export function body<T>(response: Response, status: number, code = status < 300 ? 'SUCCESS' : undefined): ParsedEnvelope<T> {
  const expected = code ?? ({ 400: 'VALIDATION_ERROR', 401: 'UNAUTHORIZED', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 409: 'CONFLICT', 422: 'UNPROCESSABLE' } as Record<number, string>)[status];
  return expectEnvelope<T>(response as never, { status, code: expected as never, module: 'billing' });
}

export interface InvoiceBody {
  id: string;
  number: string;
  accountId: string;
  userId: string;
  status: string;
  currency: string;
  totalMinor: number;
  amountPaidMinor: number;
  amountDueMinor: number;
  lines: Array<{ description: string; quantity: number; unitAmountMinor: number; amountMinor: number }>;
  dueDate: string;
  issuedAt: string | null;
  paidAt: string | null;
}

/** Opens an account for `user` and returns its id. */
export async function openAccount(h: Harness, user: Caller, currency = 'EUR'): Promise<string> {
  const res = await h.request('POST', '/api/v1/billing/accounts', user, { currency });
  return body<{ id: string }>(res, 201).data.id;
}

export async function createInvoice(h: Harness, admin: Caller, accountId: string, unitAmountMinor = 1000, quantity = 1): Promise<InvoiceBody> {
  const res = await h.request('POST', '/api/v1/billing/invoices', admin, {
    accountId,
    dueDate: '2030-01-31',
    lines: [{ description: 'Subscription', quantity, unitAmountMinor }],
  });
  return body<InvoiceBody>(res, 201).data;
}

export async function issuedInvoice(h: Harness, admin: Caller, accountId: string, totalMinor = 1000): Promise<InvoiceBody> {
  const draft = await createInvoice(h, admin, accountId, totalMinor);
  return body<InvoiceBody>(await h.request('POST', `/api/v1/billing/invoices/${draft.id}/issue`, admin), 200).data;
}
