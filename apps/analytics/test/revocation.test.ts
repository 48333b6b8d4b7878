import { randomUUID } from 'node:crypto';
import { userDeactivatedV1, userRegisteredV1 } from '@platform/contracts';
import { sampleEvent } from '@platform/contracts/testing';
import { bearer, expectEnvelope } from '@platform/http-kit/testing';
import { waitFor } from '@platform/messaging/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './helpers.js';

describe('analytics refuses the tokens of deactivated users', () => {
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
});
