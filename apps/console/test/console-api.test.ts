import { randomUUID } from 'node:crypto';
import { userRegisteredV1 } from '@platform/contracts';
import { sampleEvent } from '@platform/contracts/testing';
import { bearer, expectEnvelope } from '@platform/http-kit/testing';
import { deadLetterHeaders, deadLetterSubject, toMsgHdrs } from '@platform/messaging';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleFixture, type ConsoleFixture } from './support.js';

let fx: ConsoleFixture;
beforeAll(async () => {
  fx = await consoleFixture();
});
afterAll(async () => {
  await fx?.close();
});

const get = (url: string, token?: string) => fx.app.inject({ method: 'GET', url, headers: token ? bearer(token) : {} });
const post = (url: string, payload: unknown, token?: string) => fx.app.inject({ method: 'POST', url, payload: payload as object, headers: token ? bearer(token) : {} });

const guarded: Array<[string, string, unknown?]> = [
  ['GET', '/console/api/platform'],
  ['GET', '/console/api/metrics'],
  ['GET', '/console/api/dead-letters'],
  ['GET', '/console/api/dead-letters/1'],
  ['POST', '/console/api/dead-letters/redrive', { ids: ['1'], confirm: true }],
  ['POST', '/console/api/dead-letters/purge', { ids: ['1'], confirm: true }],
  ['GET', '/console/api/events'],
  // The guard decides on the path alone: a query string does not make a route public.
  ['GET', '/console/api/dead-letters?limit=5'],
  ['GET', '/console/api/deliveries'],
  ['GET', '/console/api/traces/abc'],
  ['POST', '/console/api/session/logout', { refreshToken: 'x' }],
];
const call = (method: string, url: string, payload: unknown, token?: string) => (method === 'GET' ? get(url, token) : post(url, payload, token));

/** A dead letter as a consumer leaves it: the original message plus the x-dlq-* headers. */
async function deadLetter(consumer = 'notifications-send-welcome-message') {
  const event = sampleEvent(userRegisteredV1.type);
  const original = fx.messaging.subject(userRegisteredV1.type);
  await fx.messaging.js.publish(deadLetterSubject(consumer, original, fx.messaging.namespace), JSON.stringify(event), {
    headers: toMsgHdrs({
      [deadLetterHeaders.reason]: 'handler failed after 5 attempts: boom',
      [deadLetterHeaders.consumer]: consumer,
      [deadLetterHeaders.originalSubject]: original,
      [deadLetterHeaders.originalStream]: fx.messaging.streamName('USERS'),
      [deadLetterHeaders.originalSequence]: '1',
      [deadLetterHeaders.deliveryCount]: '5',
      [deadLetterHeaders.failedAt]: new Date().toISOString(),
    }),
  });
  return event;
}

describe('nothing in the console API without an active admin', () => {
  it.each(guarded)('%s %s: 401 without a token', async (method, url, payload) => {
    expectEnvelope(await call(method, url, payload), { status: 401, code: 'UNAUTHORIZED', module: 'console' });
  });

  it.each(guarded)('%s %s: 403 for a user and a moderator', async (method, url, payload) => {
    for (const role of ['user', 'moderator'] as const) {
      expectEnvelope(await call(method, url, payload, fx.tokenFor(fx.gateway.add(role))), { status: 403, code: 'FORBIDDEN' });
    }
  });

  it('refuses an admin token whose user is no longer an admin or no longer active (asks users, not the claim)', async () => {
    const demoted = fx.gateway.add('admin');
    const token = fx.tokenFor(demoted);
    expectEnvelope(await get('/console/api/dead-letters', token), { status: 200, code: 'SUCCESS' });
    const deactivated = fx.gateway.add('admin');
    fx.gateway.users.set(deactivated.id, { ...deactivated, isActive: false });
    expectEnvelope(await get('/console/api/dead-letters', fx.tokenFor(deactivated)), { status: 403, code: 'FORBIDDEN' });
    const stranger = fx.tokenFor({ ...demoted, id: randomUUID() });
    expectEnvelope(await get('/console/api/dead-letters', stranger), { status: 401, code: 'UNAUTHORIZED' });
  });

  it('re-checks the current role after the cache time, and only then', async () => {
    const short = await consoleFixture({ roleCheckCacheMs: 0 });
    try {
      const admin = short.gateway.add('admin');
      const token = short.tokenFor(admin);
      expectEnvelope(await short.app.inject({ method: 'GET', url: '/console/api/events', headers: bearer(token) }), { status: 200, code: 'SUCCESS' });
      short.gateway.users.set(admin.id, { ...admin, role: 'user' });
      expectEnvelope(await short.app.inject({ method: 'GET', url: '/console/api/events', headers: bearer(token) }), { status: 403, code: 'FORBIDDEN' });
    } finally {
      await short.close();
    }
    const before = fx.gateway.calls.filter((c) => c.endsWith('/users/me')).length;
    const admin = fx.gateway.add('admin');
    const token = fx.tokenFor(admin);
    for (let i = 0; i < 3; i += 1) expectEnvelope(await get('/console/api/events', token), { status: 200, code: 'SUCCESS' });
    expect(fx.gateway.calls.filter((c) => c.endsWith('/users/me')).length - before).toBe(1);
  });
});

describe('login through the platform', () => {
  it('gives an admin a session, refuses anyone else with 403 and logs their token out again', async () => {
    const admin = fx.gateway.add('admin');
    const ok = expectEnvelope<{ accessToken: string; admin: { id: string } }>(await post('/console/api/session', { email: admin.email, password: 'Passw0rd!' }), { status: 200, code: 'SUCCESS' });
    expect(ok.data.admin.id).toBe(admin.id);
    expectEnvelope(await get('/console/api/events', ok.data.accessToken), { status: 200, code: 'SUCCESS' });

    const user = fx.gateway.add('user');
    const callsBefore = fx.gateway.calls.length;
    expectEnvelope(await post('/console/api/session', { email: user.email, password: 'Passw0rd!' }), { status: 403, code: 'FORBIDDEN' });
    expect(fx.gateway.calls.slice(callsBefore)).toContain('POST /api/v1/auth/logout');
    expectEnvelope(await post('/console/api/session', { email: 'nobody@example.com', password: 'x' }), { status: 401, code: 'UNAUTHORIZED' });
    expectEnvelope(await post('/console/api/session', { email: 'a@b.c', password: 'x', role: 'admin' }), { status: 400, code: 'VALIDATION_ERROR' });
  });
});

describe('admin reads and actions', () => {
  let token: string;
  beforeAll(() => {
    token = fx.tokenFor(fx.gateway.add('admin'));
  });

  it('the platform map: each app with its readiness in words, the streams with their consumers', async () => {
    const body = expectEnvelope<{ apps: Array<{ app: string; state: string; error: string | null }>; streams: unknown[]; natsError: string | null }>(await get('/console/api/platform', token), { status: 200, code: 'SUCCESS' });
    expect(body.data.apps.map((a) => a.app)).toEqual(['gateway', 'users', 'billing', 'notifications', 'analytics']);
    expect(body.data.apps.find((a) => a.app === 'users')).toMatchObject({ state: 'unreachable' });
    expect(body.data.apps.find((a) => a.app === 'users')?.error).toBeTruthy();
    expect(body.data.natsError).toBeNull();
  });

  it('metrics: an app without /metrics is reported as unavailable with the reason, not as an error of the console', async () => {
    const body = expectEnvelope<Array<{ app: string; available: boolean; error: string | null }>>(await get('/console/api/metrics', token), { status: 200, code: 'SUCCESS' });
    expect(body.data).toHaveLength(5);
    expect(body.data.every((m) => !m.available && m.error)).toBe(true);
  });

  it('lists, shows and re-drives a dead letter (confirmation required), then purges another', async () => {
    const event = await deadLetter();
    const list = expectEnvelope<Array<{ id: string; eventId: string; reason: string; attempts: number; service: string }>>(await get('/console/api/dead-letters', token), { status: 200, code: 'SUCCESS' });
    const letter = list.data.find((d) => d.eventId === event.id);
    expect(letter).toMatchObject({ attempts: 5, service: 'notifications', reason: 'handler failed after 5 attempts: boom' });
    const shown = expectEnvelope<{ payload: unknown }>(await get(`/console/api/dead-letters/${letter?.id}`, token), { status: 200, code: 'SUCCESS' });
    expect(shown.data.payload).toEqual(event);
    expectEnvelope(await get('/console/api/dead-letters/999999', token), { status: 404, code: 'NOT_FOUND' });

    expectEnvelope(await post('/console/api/dead-letters/redrive', { ids: [letter?.id] }, token), { status: 400, code: 'VALIDATION_ERROR' });
    expectEnvelope(await post('/console/api/dead-letters/redrive', { ids: ['../1'], confirm: true }, token), { status: 400, code: 'VALIDATION_ERROR' });
    const redriven = expectEnvelope<{ redriven: number }>(await post('/console/api/dead-letters/redrive', { ids: [letter?.id], confirm: true }, token), { status: 200, code: 'SUCCESS' });
    expect(redriven.data.redriven).toBe(1);
    const after = expectEnvelope<Array<{ eventId: string }>>(await get('/console/api/dead-letters', token), { status: 200, code: 'SUCCESS' });
    expect(after.data.some((d) => d.eventId === event.id)).toBe(false);
    const events = expectEnvelope<Array<{ eventId: string }>>(await get(`/console/api/events?subject=${userRegisteredV1.type}`, token), { status: 200, code: 'SUCCESS' });
    expect(events.data.filter((e) => e.eventId === event.id)).toHaveLength(1);

    const other = await deadLetter('billing-project-users');
    const otherId = expectEnvelope<Array<{ id: string; eventId: string }>>(await get('/console/api/dead-letters?service=billing', token), { status: 200, code: 'SUCCESS' }).data.find((d) => d.eventId === other.id)?.id;
    const purged = expectEnvelope<{ purged: number }>(await post('/console/api/dead-letters/purge', { ids: [otherId], confirm: true }, token), { status: 200, code: 'SUCCESS' });
    expect(purged.data.purged).toBe(1);
  });

  it('refuses unknown or malformed query parameters with 400', async () => {
    expectEnvelope(await get('/console/api/dead-letters?limit=0', token), { status: 400, code: 'VALIDATION_ERROR' });
    expectEnvelope(await get('/console/api/events?stream=ORDERS', token), { status: 400, code: 'VALIDATION_ERROR' });
    expectEnvelope(await get('/console/api/events?extra=1', token), { status: 400, code: 'VALIDATION_ERROR' });
    expectEnvelope(await get('/console/api/deliveries?userId=not-a-uuid', token), { status: 400, code: 'VALIDATION_ERROR' });
    expectEnvelope(await get('/console/api/traces/has%20space', token), { status: 400, code: 'VALIDATION_ERROR' });
  });

  it('trace view: says tracing is not configured, and lists the events the request caused', async () => {
    const body = expectEnvelope<{ configured: boolean; events: unknown[] }>(await get('/console/api/traces/req-1', token), { status: 200, code: 'SUCCESS' });
    expect(body.data).toMatchObject({ configured: false, events: [] });
  });
});

describe('the single-page app', () => {
  it('is served at /console/ (and its client-side routes), with / redirecting there', async () => {
    const root = await fx.app.inject({ method: 'GET', url: '/' });
    expect(root.statusCode).toBe(302);
    expect(root.headers.location).toBe('/console/');
    for (const url of ['/console/', '/console/dead-letters']) {
      const page = await fx.app.inject({ method: 'GET', url });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('Platform console');
    }
    // Under /console/api nothing answers without a token, not even "no such route".
    expectEnvelope(await get('/console/api/nothing'), { status: 401, code: 'UNAUTHORIZED' });
    expectEnvelope(await get('/console/api/nothing', fx.tokenFor(fx.gateway.add('admin'))), { status: 404, code: 'NOT_FOUND' });
  });
});
