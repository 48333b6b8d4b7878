import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, usePlatform } from '../src/fixture.js';
import { payInvoiceTwice, wrongPasswords } from '../src/flows.js';
import { login, registerUser, signUp } from '../src/gateway-client.js';
import { pgbouncerMissing, startPgBouncer, type PgBouncer } from '../src/pgbouncer.js';
import { services } from '../src/platform.js';

/**
 * The platform behind PgBouncer in transaction mode (Debian's 1.18: no protocol-level prepared
 * statements there): every service's pool goes through the pooler with
 * DATABASE_TRANSACTION_POOLING=true (statements sent unnamed, drizzle's prepared ones included),
 * and only migrations, LISTEN and session locks use DATABASE_DIRECT_URL.
 */
describe('behind PgBouncer (transaction pooling)', () => {
  let bouncer: PgBouncer;
  beforeAll(async () => {
    const missing = pgbouncerMissing();
    if (missing) throw new Error(missing);
    bouncer = await startPgBouncer({ poolSize: 8 });
  });
  afterAll(async () => {
    await bouncer?.stop();
  });
  const e2e = usePlatform(
    { DATABASE_TRANSACTION_POOLING: 'true', DATABASE_POOL_MAX: '4' },
    () => ({ databaseUrlFor: (_service, url) => bouncer.url(url), serviceEnv: (_service, url) => ({ DATABASE_DIRECT_URL: url }) }),
  );

  it('every flow works through the pooler: sign-up, login (prepared lookups), throttling, payments with a replayed key, events once', async () => {
    const payer = await signUp(e2e.client, 'pooled');
    const me = await e2e.client.get<{ email: string }>('/api/v1/users/me', { token: payer.tokens.accessToken });
    expect(me).toMatchObject({ status: 200, body: { data: { email: payer.email } } });
    const admin = await login(e2e.client, ADMIN.email, ADMIN.password);
    await payInvoiceTwice(e2e.client, e2e.client, { user: payer.tokens.accessToken, admin: admin.accessToken });

    const victim = await registerUser(e2e.client);
    expect(await wrongPasswords([e2e.client], victim.email, 7)).toEqual([401, 401, 401, 401, 401, 429, 429]);

    await e2e.quiet.wait(30_000);
    const welcome = await e2e.quiet.db('notifications').sql<{ n: number }[]>`select count(*)::int as n from notifications where template = 'welcome' and channel = 'in_app' and user_id = ${payer.user.id}`;
    expect(welcome[0]?.n).toBe(1);
    const notifications = await e2e.client.get<unknown[]>('/api/v1/notifications', { token: payer.tokens.accessToken });
    expect(notifications.status).toBe(200);
    const summary = await e2e.client.get('/api/v1/analytics/summary', { token: admin.accessToken });
    expect(summary.status).toBe(200);

    // The services' traffic really went through the pooler: it logged each service database's logins.
    const log = bouncer.log();
    for (const service of services) expect(log).toContain(`db=${new URL(e2e.platform.databases[service]).pathname.slice(1)}`);
    expect(log).not.toMatch(/prepared statement .* does not exist/);
  }, 120_000);
});
