import { openRawConnection, parseRawResponse, rawExchange, type RawConnection } from '@platform/http-kit/testing';
import { waitFor } from '@platform/messaging/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, usePlatform } from '../src/fixture.js';
import { login, loginAdmin, registerUser, signUp, type RegisteredUser } from '../src/gateway-client.js';

/** Short enough to watch it happen, long enough for every honest request of this file. */
const REQUEST_TIMEOUT_MS = 1_500;

/**
 * Issue 9, attacked the way it was found: through the gateway only, against all five processes
 * (defects 1, 2, 3 and 5; each one also has its test where it is fixed).
 */
describe('the platform under attack, through the gateway', () => {
  const e2e = usePlatform({ HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS), HTTP_HEADERS_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS) });
  let adminToken: string;
  beforeAll(async () => {
    adminToken = (await loginAdmin(e2e.client, ADMIN.email, ADMIN.password)).accessToken;
  });

  /** A request exactly as written on the wire: `fetch` would normalise the path first. */
  const raw = (target: string, token?: string) =>
    rawExchange(e2e.platform.gatewayUrl, `GET ${target} HTTP/1.1\r\nHost: platform.test\r\n${token ? `Authorization: Bearer ${token}\r\n` : ''}Connection: close\r\n\r\n`);

  describe('1. path tricks never reach a service outside /api/v1/<service>', () => {
    let token: string;
    beforeAll(async () => {
      token = (await signUp(e2e.client, 'path-tricks')).tokens.accessToken;
    });

    it.each([
      '/api/v1/billing/x\\..\\..\\..\\..\\ready',
      '/api/v1/billing/x\\..\\..\\..\\..\\openapi.json',
      '/api/v1/notifications/%2e%2e/%2e%2e/%2e%2e/health',
      '/api/v1/analytics/.%2e/.%2e/.%2e/ready',
      '//api//v1//users/..\\..\\..\\ready',
    ])('%s is answered by the gateway itself', async (target) => {
      const res = await raw(target, token);
      expect(res.statusCode).toBeLessThan(500);
      const body = JSON.parse(res.body) as { module?: string; openapi?: string; data?: { checks?: Record<string, string> } };
      // The gateway's own /ready lists the services; a service's would list postgres and nats.
      if (body.module !== undefined) expect(body.module).toBe('gateway');
      else expect(body.openapi).toMatch(/^3\./);
      expect(Object.keys(body.data?.checks ?? {})).not.toContain('postgres');
    });

    it.each([
      '/api/v1/billing/..;/..;/..;/ready',
      '/api/v1/billing/%2e%2e%2f%2e%2e%2f%2e%2e%2fready',
      '/api/v1/billing/%252e%252e/%252e%252e/%252e%252e/ready',
    ])('%s is a 400 from the gateway', async (target) => {
      const res = await raw(target, token);
      expect(res.statusCode).toBe(400);
      expect(JSON.parse(res.body)).toMatchObject({ code: 'VALIDATION_ERROR', module: 'gateway', data: null });
    });

    it('an absolute-form target is routed on its path (it answered 500 before)', async () => {
      const res = await raw('http://elsewhere.example/api/v1/users/me', token);
      expect(res.statusCode).toBe(200);
      expect(JSON.parse(res.body)).toMatchObject({ code: 'SUCCESS', module: 'users', data: { email: expect.stringContaining('path-tricks') } });
      expect((await raw('http://elsewhere.example/api/v1/users/me')).statusCode).toBe(401);
    });
  });

  describe('2. a changed role loses its old power at every service within seconds', () => {
    it('a demoted admin’s token is refused by billing, notifications and analytics as it is by users', async () => {
      const registered = await registerUser(e2e.client);
      const promoted = await e2e.client.request<RegisteredUser>('PATCH', `/api/v1/users/${registered.user.id}`, { token: adminToken, body: { role: 'admin' } });
      expect(promoted).toMatchObject({ status: 200, body: { data: { role: 'admin' } } });
      const adminPowers = (await login(e2e.client, registered.email, registered.password)).accessToken;

      const asAdmin = {
        billing: () => e2e.client.get('/api/v1/billing/accounts', { token: adminPowers }),
        notifications: () => e2e.client.get('/api/v1/notifications/deliveries', { token: adminPowers }),
        analytics: () => e2e.client.get('/api/v1/analytics/summary', { token: adminPowers }),
        users: () => e2e.client.get('/api/v1/users', { token: adminPowers }),
      };
      // Every service lets the new admin in (at once, or within the same second of the
      // promotion as soon as it has projected it: token times are whole seconds).
      for (const call of Object.values(asAdmin)) await waitFor(async () => (await call()).status === 200, { timeoutMs: 15_000 });

      const demoted = await e2e.client.request<RegisteredUser>('PATCH', `/api/v1/users/${registered.user.id}`, { token: adminToken, body: { role: 'user' } });
      expect(demoted).toMatchObject({ status: 200, body: { data: { role: 'user' } } });
      expect((await asAdmin.users()).status).toBe(401);
      for (const [service, call] of Object.entries(asAdmin)) {
        const refused = await waitFor(async () => {
          const res = await call();
          return res.status === 401 ? res : undefined;
        }, { timeoutMs: 15_000 });
        expect(refused.body, service).toMatchObject({ code: 'UNAUTHORIZED', module: service });
      }

      // Logging in again gives a token with the current role: a user, no longer an admin.
      const asUser = (await login(e2e.client, registered.email, registered.password)).accessToken;
      expect((await e2e.client.get('/api/v1/billing/accounts', { token: asUser })).status).toBe(403);
      expect((await e2e.client.get('/api/v1/analytics/summary', { token: asUser })).status).toBe(403);
      expect((await e2e.client.get('/api/v1/notifications', { token: asUser })).status).toBe(200);
    });
  });

  describe('3. concurrent failed logins buy nothing', () => {
    it('20 parallel wrong passwords for one e-mail get exactly 5 password checks (401), the rest 429', async () => {
      const victim = await registerUser(e2e.client);
      const attempts = await Promise.all(
        Array.from({ length: 20 }, () => e2e.client.post('/api/v1/auth/login', { email: victim.email, password: 'Wr0ng-Password' })),
      );
      const statuses = attempts.map((res) => res.status);
      expect(statuses.filter((status) => status === 401)).toHaveLength(5);
      expect(statuses.filter((status) => status === 429)).toHaveLength(15);
      for (const res of attempts.filter((r) => r.status === 429)) {
        expect(res.body).toMatchObject({ code: 'RATE_LIMITED', module: 'users' });
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      }
      // Even the right password is throttled now.
      expect((await e2e.client.post('/api/v1/auth/login', { email: victim.email, password: victim.password })).status).toBe(429);
    });
  });

  describe('5. a client that trickles or stalls is cut off', () => {
    const bound = REQUEST_TIMEOUT_MS * 6;
    const expect408 = (connection: RawConnection) => {
      const res = parseRawResponse(connection.received());
      expect(res.statusCode).toBe(408);
      expect(JSON.parse(res.body)).toMatchObject({ module: 'gateway', data: null, requestId: res.headers['x-request-id'] });
    };

    it('a body trickled a byte at a time', async () => {
      const connection = await openRawConnection(e2e.platform.gatewayUrl);
      connection.write('POST /api/v1/auth/login HTTP/1.1\r\nHost: platform.test\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n');
      const started = Date.now();
      while (!connection.isClosed() && Date.now() - started < bound) {
        connection.write(' ');
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(connection.isClosed()).toBe(true);
      expect408(connection);
    });

    it('a client that stalls after one byte', async () => {
      const connection = await openRawConnection(e2e.platform.gatewayUrl);
      connection.write('G');
      await connection.closed(bound);
      expect408(connection);
    });

    it('honest requests are untouched', async () => {
      expect((await e2e.client.get('/health')).status).toBe(200);
    });
  });
});
