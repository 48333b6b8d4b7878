import { randomUUID } from 'node:crypto';
import {
  defineEvent,
  invoiceIssuedV1,
  invoiceVoidedV1,
  notificationFailedV1,
  notificationSentV1,
  paymentReceivedV1,
  userDeactivatedV1,
  userLoggedInV1,
  userRegisteredV1,
  userUpdatedV1,
  type EventType,
} from '@platform/contracts';
import { sampleEvent } from '@platform/contracts/testing';
import type { HttpApp } from '@platform/http-kit';
import { bearer, expectEnvelope, type ParsedEnvelope } from '@platform/http-kit/testing';
import { waitFor } from '@platform/messaging/testing';
import { createTestServiceEnv, type TestServiceEnv } from '@platform/service-kit/testing';
import { z } from 'zod';
import { buildApp, type BuildAnalyticsOptions } from '../src/app.js';

/** Contracts analytics has no declaration for (an action nobody declared, a major version ahead): stored as unknown. */
export const userMergedV1 = defineEvent({ source: 'users', entity: 'user', action: 'merged', version: 1, schema: z.object({ userId: z.uuid() }) });
export const userRegisteredV2 = defineEvent({ ...userRegisteredV1, version: 2, schema: z.object({ userId: z.uuid(), handle: z.string() }) });

export interface Harness {
  env: TestServiceEnv;
  app: HttpApp;
  adminToken: string;
  /** Publishes an envelope (or any raw body) on its subject in this test's namespace. */
  publish(event: { id: string; type: string } | { subject: string; body: string; msgId?: string }): Promise<void>;
  /** GET as admin, expecting 200; returns `data` (and meta). */
  get<T>(url: string): Promise<ParsedEnvelope<T>>;
  storedCount(): Promise<number>;
  /** Waits until the events table holds `n` rows. */
  waitStored(n: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(options: BuildAnalyticsOptions = {}): Promise<Harness> {
  // TEST_LOG_LEVEL=warn shows the service's own log while debugging a test.
  const env = await createTestServiceEnv('analytics', { logLevel: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const app = await buildApp(env.config, options);
  const adminToken = await env.token({ sub: randomUUID(), role: 'admin' });
  const storedCount = async () => Number((await env.database.sql`select count(*)::int as n from events`)[0]?.n);
  return {
    env,
    app,
    adminToken,
    async publish(event) {
      if ('subject' in event) {
        await env.messaging.js.publish(env.messaging.subject(event.subject), event.body, event.msgId ? { msgID: event.msgId } : {});
        return;
      }
      await env.messaging.js.publish(env.messaging.subject(event.type), JSON.stringify(event), { msgID: event.id });
    },
    async get<T>(url: string) {
      const res = await app.inject({ method: 'GET', url, headers: bearer(adminToken) });
      return expectEnvelope<T>(res, { status: 200, code: 'SUCCESS', module: 'analytics' });
    },
    storedCount,
    async waitStored(n, timeoutMs = 15_000) {
      await waitFor(async () => (await storedCount()) >= n, { timeoutMs, intervalMs: 50 });
    },
    async close() {
      await app.close();
      await env.cleanup();
    },
  };
}

/** A valid sample event of `type` with the given data overrides and occurredAt. */
export function eventAt<T extends EventType>(type: T, occurredAt: string, overrides: Record<string, unknown> = {}) {
  return { ...sampleEvent(type, overrides as never), occurredAt };
}

/** A known history (UTC) whose every metric is worked out by hand below. */
export function knownEvents() {
  const [u1, u2, u3, u4] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  const [inv1, inv2, inv3] = [randomUUID(), randomUUID(), randomUUID()];
  const issued = (invoiceId: string, currency: string, totalMinor: number, at: string) =>
    eventAt(invoiceIssuedV1.type, at, { invoiceId, currency, totalMinor });
  const paid = (invoiceId: string, currency: string, amountMinor: number, at: string) =>
    eventAt(paymentReceivedV1.type, at, { invoiceId, currency, amountMinor });
  return [
    eventAt(userRegisteredV1.type, '2025-03-01T10:15:00Z', { userId: u1, isActive: true }),
    eventAt(userRegisteredV1.type, '2025-03-01T10:45:00Z', { userId: u2, isActive: true }),
    eventAt(userRegisteredV1.type, '2025-03-02T09:00:00Z', { userId: u3, isActive: true }),
    eventAt(userDeactivatedV1.type, '2025-03-02T12:30:00Z', { userId: u2 }),
    eventAt(userUpdatedV1.type, '2025-03-03T08:00:00Z', { userId: u1, isActive: true }),
    eventAt(userRegisteredV1.type, '2025-03-03T23:59:59Z', { userId: u4, isActive: false }),
    eventAt(userLoggedInV1.type, '2025-03-01T10:20:00Z', { userId: u1 }),
    eventAt(userLoggedInV1.type, '2025-03-02T00:00:00Z', { userId: u1 }),
    eventAt(userLoggedInV1.type, '2025-03-02T09:30:00Z', { userId: u3 }),
    issued(inv1, 'EUR', 10_000, '2025-03-01T11:00:00Z'),
    paid(inv1, 'EUR', 4_000, '2025-03-01T12:00:00Z'),
    paid(inv1, 'EUR', 6_000, '2025-03-02T10:00:00Z'),
    issued(inv2, 'EUR', 5_000, '2025-03-02T11:00:00Z'),
    issued(inv3, 'USD', 7_000, '2025-03-02T13:00:00Z'),
    paid(inv2, 'EUR', 1_000, '2025-03-02T15:00:00Z'),
    eventAt(invoiceVoidedV1.type, '2025-03-03T10:00:00Z', { invoiceId: inv2 }),
    paid(inv3, 'USD', 2_000, '2025-03-03T12:00:00Z'),
    eventAt(notificationSentV1.type, '2025-03-01T10:16:00Z'),
    eventAt(notificationSentV1.type, '2025-03-02T09:01:00Z'),
    eventAt(notificationFailedV1.type, '2025-03-02T12:00:00Z'),
  ];
}

