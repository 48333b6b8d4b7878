import { userRegisteredV1 } from '@platform/contracts';
import { waitFor } from '@platform/messaging/testing';
import { describe, expect, it } from 'vitest';
import { usePlatform } from '../src/fixture.js';
import { login, newUserInput, registerUser, type TokenPair } from '../src/gateway-client.js';

/** docs/contract.md §3 and §4 through the gateway, with all five processes running. */
describe('users and auth through the gateway', () => {
  const e2e = usePlatform();

  it('register → login → me → refresh → logout, the old refresh token then refused', async () => {
    const { client, platform } = e2e;
    const requestId = `e2e-register-${Date.now()}`;
    const input = newUserInput('journey');
    const { user, response } = await registerUser(client, input, { 'x-request-id': requestId });
    expect(response.headers.get('x-request-id')).toBe(requestId);
    expect(response.body).toMatchObject({ code: 'SUCCESS', module: 'users', requestId });
    expect(user).toMatchObject({ email: input.email, fullName: input.fullName, role: 'user', isActive: true });
    expect(JSON.stringify(response.body)).not.toMatch(/password|hash/i);

    const tokens = await login(client, input.email, input.password);
    expect(tokens).toMatchObject({ tokenType: 'Bearer', expiresIn: expect.any(Number) });

    const me = await client.get<{ id: string; email: string }>('/api/v1/users/me', { token: tokens.accessToken });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ code: 'SUCCESS', module: 'users', data: { id: user.id, email: input.email } });

    const refreshed = await client.post<TokenPair>('/api/v1/auth/refresh', { refreshToken: tokens.refreshToken });
    expect(refreshed.status).toBe(200);
    const next = refreshed.body.data;
    expect(next.refreshToken).not.toBe(tokens.refreshToken);
    expect((await client.get('/api/v1/users/me', { token: next.accessToken })).status).toBe(200);

    const logout = await client.post('/api/v1/auth/logout', { refreshToken: next.refreshToken });
    expect(logout.status).toBe(200);
    const reused = await client.post('/api/v1/auth/refresh', { refreshToken: next.refreshToken });
    expect(reused.status).toBe(401);
    expect(reused.body).toMatchObject({ code: 'UNAUTHORIZED', module: 'users' });

    // users.user.registered.v1: exactly once on JetStream, carrying the request id of the call.
    const registeredEvents = () => e2e.readEvents('USERS', userRegisteredV1.type);
    const mine = async () =>
      (await registeredEvents()).filter((message) => (JSON.parse(message.data) as { data: { userId: string } }).data.userId === user.id);
    const [event] = await waitFor(async () => ((await mine()).length > 0 ? mine() : undefined), { timeoutMs: 15_000 });
    expect(await mine()).toHaveLength(1);
    expect(event?.headers['x-request-id']).toBe(requestId);
    expect(JSON.parse(event?.data ?? '{}')).toMatchObject({ type: userRegisteredV1.type, correlationId: requestId, data: { userId: user.id, email: input.email } });
    // The subject holds one message per registered user, the seeded admin's included: none doubled.
    const everyone = await registeredEvents();
    const userIds = everyone.map((message) => (JSON.parse(message.data) as { data: { userId: string } }).data.userId);
    expect(await e2e.countEvents('USERS', userRegisteredV1.type)).toBe(new Set(userIds).size);

    // The users service logged the same request id.
    expect(platform.apps.users.output.some((line) => line.includes(requestId))).toBe(true);
  });

  it('refuses at the edge, in the gateway envelope, what needs a token and has none or a bad one', async () => {
    const { client, platform } = e2e;
    const none = await client.get('/api/v1/users/me');
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ code: 'UNAUTHORIZED', module: 'gateway' });
    const forged = await client.get('/api/v1/users/me', { token: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.' });
    expect(forged.body).toMatchObject({ code: 'UNAUTHORIZED', module: 'gateway' });
    const jwks = await fetch(`${platform.gatewayUrl}/api/v1/auth/jwks.json`).then((r) => r.json() as Promise<{ keys: unknown[] }>);
    expect(jwks.keys.length).toBeGreaterThan(0);
  });

  it('serves one OpenAPI document with the users paths', async () => {
    const { platform } = e2e;
    const document = (await fetch(`${platform.gatewayUrl}/openapi.json`).then((r) => r.json())) as { paths: Record<string, unknown> };
    expect(document.paths).toHaveProperty(['/api/v1/auth/login']);
    expect(document.paths).toHaveProperty(['/api/v1/users/me']);
    expect(document.paths).toHaveProperty(['/health']);
  });
});
