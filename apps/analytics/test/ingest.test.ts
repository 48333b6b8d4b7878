import { randomUUID } from 'node:crypto';
import {
  allEventContracts,
  invoiceIssuedV1,
  invoiceVoidedV1,
  paymentReceivedV1,
  userLoggedInV1,
  userRegisteredV1,
  userUpdatedV1,
  type EventType,
} from '@platform/contracts';
import { sampleEvent } from '@platform/contracts/testing';
import { readDeadLetters, waitFor } from '@platform/messaging/testing';
import { sampleValue, samplesOf } from '@platform/metrics/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, userMergedV1, userRegisteredV2, type Harness } from './helpers.js';

interface Summary {
  users: { total: number; active: number; registered: number };
  events: { stored: number; unknown: number };
}
interface StoredEventDto {
  id: string;
  type: string;
  known: boolean;
  stream: string;
  data: Record<string, unknown>;
}

describe('analytics ingest', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('stores one event of every contract, validated and flagged known', async () => {
    const scrape = async () => (await h.app.inject({ method: 'GET', url: '/metrics' })).body;
    const ingestedBefore = sampleValue(await scrape(), 'analytics_events_ingested_total');
    const before = await h.storedCount();
    const published = allEventContracts.map((c) => sampleEvent(c.type as EventType));
    for (const event of published) await h.publish(event);
    await h.waitStored(before + published.length);
    // The ingest counter moved by as many events; caught up, the lag of every stream is 0 (read at scrape time, cached 5 s).
    await waitFor(async () => sampleValue(await scrape(), 'analytics_events_ingested_total') - ingestedBefore === published.length);
    await waitFor(async () => {
      const lag = samplesOf(await scrape(), 'analytics_ingest_lag_seconds');
      return lag.length === 3 && lag.every((s) => s.value === 0);
    }, { timeoutMs: 15_000 });
    expect(sampleValue(await scrape(), 'consumer_messages_total', { outcome: 'handled' })).toBeGreaterThanOrEqual(published.length);

    const { data, meta } = await h.get<StoredEventDto[]>('/api/v1/analytics/events?pageSize=100');
    expect(meta?.total).toBe(before + published.length);
    for (const event of published) {
      const stored = data.find((e) => e.id === event.id);
      expect(stored, event.type).toMatchObject({ type: event.type, known: true, stream: event.source, data: event.data });
    }
    const byType = await h.get<StoredEventDto[]>(`/api/v1/analytics/events?type=${invoiceIssuedV1.type}`);
    expect(byType.data.map((e) => e.id)).toContain(published.find((e) => e.type === invoiceIssuedV1.type)!.id);
    expect(byType.data.every((e) => e.type === invoiceIssuedV1.type)).toBe(true);
  });

  it('stores a duplicated event once and counts it once', async () => {
    const event = sampleEvent(userRegisteredV1.type);
    const before = (await h.get<Summary>('/api/v1/analytics/summary')).data;
    const stored = await h.storedCount();
    // Different msg ids get past JetStream's duplicate window: analytics itself must dedupe.
    const body = JSON.stringify(event);
    await h.publish({ subject: event.type, body, msgId: randomUUID() });
    await h.publish({ subject: event.type, body, msgId: randomUUID() });
    await h.publish({ subject: event.type, body, msgId: randomUUID() });
    const marker = sampleEvent(userLoggedInV1.type);
    await h.publish(marker); // published after the copies: once it is stored, so were they
    await h.waitStored(stored + 2);
    await waitFor(async () => (await h.get<StoredEventDto[]>(`/api/v1/analytics/events?type=${userLoggedInV1.type}&pageSize=100`)).data.some((e) => e.id === marker.id));
    expect(await h.storedCount()).toBe(stored + 2);
    const after = (await h.get<Summary>('/api/v1/analytics/summary')).data;
    expect(after.users.registered).toBe(before.users.registered + 1);
    expect(after.users.total).toBe(before.users.total + 1);
    expect(after.events.stored).toBe(before.events.stored + 2);
  });

  it('stores an unknown type or version flagged unknown, counts it and keeps going', async () => {
    const before = (await h.get<Summary>('/api/v1/analytics/summary')).data;
    const stored = await h.storedCount();
    const merged = { ...sampleEvent(userUpdatedV1.type), type: userMergedV1.type };
    const v2 = { ...sampleEvent(userRegisteredV1.type), type: userRegisteredV2.type, version: userRegisteredV2.version, data: { userId: randomUUID(), handle: 'x' } };
    await h.publish(merged);
    await h.publish(v2);
    await h.publish(sampleEvent(userLoggedInV1.type));
    await h.waitStored(stored + 3);

    const unknown = await h.get<StoredEventDto[]>('/api/v1/analytics/events?known=false');
    expect(unknown.data.map((e) => e.id).sort()).toEqual([merged.id, v2.id].sort());
    expect(unknown.data.find((e) => e.id === v2.id)?.data).toEqual(v2.data);
    const after = (await h.get<Summary>('/api/v1/analytics/summary')).data;
    expect(after.events.unknown).toBe(before.events.unknown + 2);
    expect(after.events.stored).toBe(before.events.stored + 3);
    expect(after.users.registered).toBe(before.users.registered); // a v2 registration has no v1 meaning here
  });

  it('dead-letters an invalid payload without crashing and goes on storing', async () => {
    const stored = await h.storedCount();
    const bad = sampleEvent(paymentReceivedV1.type);
    const body = JSON.stringify({ ...bad, data: { ...bad.data, amountMinor: -5 } });
    await h.publish({ subject: bad.type, body, msgId: bad.id });
    await h.publish({ subject: invoiceIssuedV1.type, body: '{not json', msgId: randomUUID() });
    const next = sampleEvent(invoiceVoidedV1.type);
    await h.publish(next);
    await h.waitStored(stored + 1);

    const letters = await waitFor(async () => {
      const all = await readDeadLetters(h.env.messaging.jsm, h.env.messaging.namespace);
      return all.length >= 2 ? all : null;
    }, { timeoutMs: 10_000 });
    expect(letters.map((l) => l.headers['x-dlq-consumer'])).toEqual(['analytics-store-billing-events', 'analytics-store-billing-events']);
    expect(letters[0]!.headers['x-dlq-reason']).toMatch(/amountMinor/);
    expect(letters[1]!.headers['x-dlq-reason']).toMatch(/malformed JSON/);
    expect(await h.storedCount()).toBe(stored + 1);
    const events = await h.get<StoredEventDto[]>(`/api/v1/analytics/events?type=${paymentReceivedV1.type}&pageSize=100`);
    expect(events.data.some((e) => e.id === bad.id)).toBe(false);
  });
});
