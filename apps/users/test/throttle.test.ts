import { expectEnvelope } from '@platform/http-kit/testing';
import { sampleValue } from '@platform/metrics/testing';
import { createLogger } from '@platform/logging';
import { usersRetention } from '../src/workers/retention.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUsersTestEnv, PASSWORD, uniqueEmail, type UsersTestEnv } from './users-test-env.js';

// Small limits so the test stays fast (each attempt costs an argon2 verification).
const PER_EMAIL = 3;
const PER_CLIENT = 6;
const WINDOW = 900;

let t: UsersTestEnv;
beforeAll(async () => {
  t = await createUsersTestEnv({ throttle: { maxFailuresPerEmail: PER_EMAIL, maxFailuresPerClient: PER_CLIENT, windowSec: WINDOW } });
});
afterAll(async () => {
  await t?.close();
});

let clients = 0;
/** A distinct client address, as the gateway (trusted, on loopback) reports it. */
const newClient = () => `198.51.100.${++clients}`;
const login = (email: string, password: string, client: string, remoteAddress?: string) =>
  t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email, password },
    headers: { 'x-forwarded-for': client },
    ...(remoteAddress ? { remoteAddress } : {}),
  });
const expectLimited = (res: Awaited<ReturnType<typeof login>>) => {
  expectEnvelope(res, { status: 429, code: 'RATE_LIMITED', module: 'users' });
  const retryAfter = Number(res.headers['retry-after']);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(WINDOW);
};

const scrape = async () => (await t.app.inject({ method: 'GET', url: '/metrics' })).body;

describe('failed-login throttling', () => {
  it('per e-mail: after the limit, 429 with Retry-After, even with the right password and from another client', async () => {
    const email = uniqueEmail('victim');
    await t.register(email);
    const before = await scrape();
    for (let i = 0; i < PER_EMAIL; i++) {
      expectEnvelope(await login(email, 'Wr0ng-Password', newClient()), { status: 401, code: 'UNAUTHORIZED' });
    }
    expectLimited(await login(email, PASSWORD, newClient()));
    // Counted: each wrong password a login failure, the refusal a throttle of the e-mail scope.
    const after = await scrape();
    expect(sampleValue(after, 'users_login_failures_total') - sampleValue(before, 'users_login_failures_total')).toBe(PER_EMAIL);
    expect(sampleValue(after, 'users_login_throttled_total', { scope: 'email' }) - sampleValue(before, 'users_login_throttled_total', { scope: 'email' })).toBe(1);
    expect(sampleValue(after, 'users_login_throttled_total', { scope: 'client' }) - sampleValue(before, 'users_login_throttled_total', { scope: 'client' })).toBe(0);
    // Another account from the same clients is not affected.
    const other = uniqueEmail('other');
    await t.register(other);
    expectEnvelope(await login(other, PASSWORD, newClient()), { status: 200, code: 'SUCCESS' });
    // When the window has passed, the e-mail may try again.
    await t.env.database.sql`update login_failures set window_started_at = now() - make_interval(secs => ${WINDOW + 1}) where scope = 'email' and key = ${email}`;
    expectEnvelope(await login(email, PASSWORD, newClient()), { status: 200, code: 'SUCCESS' });
  });

  it('a successful login resets the e-mail counter', async () => {
    const email = uniqueEmail('forgetful');
    await t.register(email);
    const client = newClient();
    for (let i = 0; i < PER_EMAIL - 1; i++) {
      expectEnvelope(await login(email, 'Wr0ng-Password', client), { status: 401, code: 'UNAUTHORIZED' });
    }
    expectEnvelope(await login(email, PASSWORD, client), { status: 200, code: 'SUCCESS' });
    for (let i = 0; i < PER_EMAIL - 1; i++) {
      expectEnvelope(await login(email, 'Wr0ng-Password', newClient()), { status: 401, code: 'UNAUTHORIZED' });
    }
    expectEnvelope(await login(email, PASSWORD, newClient()), { status: 200, code: 'SUCCESS' });
  });

  it('per client address: many e-mails from one client are throttled, other clients are not', async () => {
    const client = newClient();
    for (let i = 0; i < PER_CLIENT; i++) {
      expectEnvelope(await login(uniqueEmail('spray'), PASSWORD, client), { status: 401, code: 'UNAUTHORIZED' });
    }
    expectLimited(await login(uniqueEmail('spray'), PASSWORD, client));
    expectEnvelope(await login(uniqueEmail('spray'), PASSWORD, newClient()), { status: 401, code: 'UNAUTHORIZED' });
  });

  it('does not believe X-Forwarded-For from an untrusted peer', async () => {
    const attacker = '203.0.113.7';
    for (let i = 0; i < PER_CLIENT; i++) {
      expectEnvelope(await login(uniqueEmail('forge'), PASSWORD, newClient(), attacker), { status: 401, code: 'UNAUTHORIZED' });
    }
    expectLimited(await login(uniqueEmail('forge'), PASSWORD, newClient(), attacker));
    const [row] = await t.env.database.sql<{ failures: number }[]>`select failures from login_failures where scope = 'client' and key = ${attacker}`;
    expect(row?.failures).toBe(PER_CLIENT);
  });

  it('parallel wrong passwords for one e-mail get exactly the limit of password checks', async () => {
    const email = uniqueEmail('parallel');
    await t.register(email);
    const results = await Promise.all(Array.from({ length: 20 }, () => login(email, 'Wr0ng-Password', newClient())));
    const statuses = results.map((res) => res.statusCode).sort();
    expect(statuses.filter((status) => status === 401)).toHaveLength(PER_EMAIL);
    expect(statuses.filter((status) => status === 429)).toHaveLength(20 - PER_EMAIL);
    for (const res of results) expect(res.statusCode === 401 || res.statusCode === 429).toBe(true);
    const [row] = await t.env.database.sql<{ failures: number }[]>`select failures from login_failures where scope = 'email' and key = ${email}`;
    expect(row?.failures).toBe(PER_EMAIL);
  });

  it('parallel attempts from one client get exactly the client limit', async () => {
    const client = newClient();
    const results = await Promise.all(Array.from({ length: 15 }, () => login(uniqueEmail('spray-parallel'), PASSWORD, client)));
    expect(results.filter((res) => res.statusCode === 401)).toHaveLength(PER_CLIENT);
    expect(results.filter((res) => res.statusCode === 429)).toHaveLength(15 - PER_CLIENT);
    // A refused attempt leaves nothing behind on the e-mails it named.
    const [spent] = await t.env.database.sql<{ n: number }[]>`select count(*)::int as n from login_failures where scope = 'email' and key like 'spray-parallel%' and failures > 0`;
    expect(spent?.n).toBe(PER_CLIENT);
  });

  it('a correct password gives its reserved attempt back: it never counts against the client', async () => {
    const client = newClient();
    for (let i = 0; i < PER_CLIENT + 2; i++) {
      const email = uniqueEmail('honest');
      await t.register(email);
      expectEnvelope(await login(email, PASSWORD, client), { status: 200, code: 'SUCCESS' });
    }
    const [row] = await t.env.database.sql<{ failures: number }[]>`select failures from login_failures where scope = 'client' and key = ${client}`;
    expect(row?.failures ?? 0).toBe(0);
  });

  it('a wrong current password on password change counts against the e-mail too', async () => {
    const email = uniqueEmail('pwchange');
    const { auth } = await t.signUp(email);
    const change = (currentPassword: string) =>
      t.app.inject({ method: 'POST', url: '/api/v1/users/me/password', headers: { ...auth, 'x-forwarded-for': newClient() }, payload: { currentPassword, newPassword: 'N3w-Passw0rd' } });
    for (let i = 0; i < PER_EMAIL; i++) expectEnvelope(await change('Wr0ng-Password'), { status: 401, code: 'UNAUTHORIZED' });
    expectLimited(await change(PASSWORD));
  });
});

describe('retention of failure counters', () => {
  it('drops counters whose window has ended and keeps those still throttling', async () => {
    const [ended, current] = [uniqueEmail('ended'), uniqueEmail('current')];
    await t.env.database.sql`
      insert into login_failures (scope, key, failures, window_started_at) values
        ('email', ${ended}, ${PER_EMAIL}, now() - make_interval(secs => ${WINDOW + 1})),
        ('email', ${current}, ${PER_EMAIL}, now() - make_interval(secs => ${WINDOW - 60}))`;
    const worker = usersRetention({ db: t.env.database.db, config: t.env.config, logger: createLogger({ service: 'users', level: 'silent' }) }, t.settings.throttle);
    await worker.runOnce();
    const left = await t.env.database.sql<{ key: string }[]>`select key from login_failures where key in (${ended}, ${current})`;
    expect(left.map((r) => r.key)).toEqual([current]);
    // The kept counter still throttles.
    await t.register(current);
    expectLimited(await login(current, PASSWORD, newClient()));
  });
});
