import { randomUUID } from 'node:crypto';
import { userDeactivatedV1, userRegisteredV1, userUpdatedV1 } from '@platform/contracts';
import { sampleEvent } from '@platform/contracts/testing';
import { bearer, expectEnvelope } from '@platform/http-kit/testing';
import { waitFor } from '@platform/messaging/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './helpers.js';

describe('analytics refuses the tokens of deactivated and demoted users', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('answers an admin until the users stream says they were deactivated, then 401', async () => {
    const adminId = randomUUID();
    const token = await h.env.token({ sub: adminId, role: 'admin' });
    const summary = () => h.app.inject({ method: 'GET', url: '/api/v1/analytics/summary', headers: bearer(token) });
    expectEnvelope(await summary(), { status: 200, code: 'SUCCESS' });

    await h.publish(sampleEvent(userRegisteredV1.type, { userId: adminId, role: 'admin', isActive: true }));
    await h.publish(sampleEvent(userDeactivatedV1.type, { userId: adminId }));
    await waitFor(async () => (await summary()).statusCode === 401, { timeoutMs: 15_000 });
    expectEnvelope(await summary(), { status: 401, code: 'UNAUTHORIZED', module: 'analytics' });

    // Another admin is not affected.
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/analytics/summary', headers: bearer(h.adminToken) })).statusCode).toBe(200);
  });

  it('answers an admin until the users stream says they were demoted, then 401; a fresh token is a 403', async () => {
    const adminId = randomUUID();
    const token = await h.env.token({ sub: adminId, role: 'admin' });
    const summary = (t: string) => h.app.inject({ method: 'GET', url: '/api/v1/analytics/summary', headers: bearer(t) });
    const registered = { ...sampleEvent(userRegisteredV1.type, { userId: adminId, role: 'admin', isActive: true }), occurredAt: new Date(Date.now() - 60_000).toISOString() };
    await h.publish(registered);
    await waitFor(async () => (await h.env.database.sql`select 1 from user_states where user_id = ${adminId}`).length === 1, { timeoutMs: 15_000 });
    expectEnvelope(await summary(token), { status: 200, code: 'SUCCESS' });

    await h.publish(sampleEvent(userUpdatedV1.type, { userId: adminId, role: 'user', isActive: true }));
    await waitFor(async () => (await summary(token)).statusCode === 401, { timeoutMs: 15_000 });
    expectEnvelope(await summary(token), { status: 401, code: 'UNAUTHORIZED', module: 'analytics' });
    expectEnvelope(await summary(await h.env.token({ sub: adminId, role: 'user' })), { status: 403, code: 'FORBIDDEN', module: 'analytics' });
  });
});
