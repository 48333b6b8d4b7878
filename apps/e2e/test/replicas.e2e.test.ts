import { randomUUID } from 'node:crypto';
import { userRegisteredV1 } from '@platform/contracts';
import { waitFor } from '@platform/messaging/testing';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { ADMIN, usePlatform } from '../src/fixture.js';
import { payInvoiceTwice, wrongPasswords } from '../src/flows.js';
import { gatewayClient, login, registerUser, signUp, type RegisteredUser } from '../src/gateway-client.js';
import { services, type RunningApp } from '../src/platform.js';
import { balancedClient, registrationLoad } from '../src/replica-load.js';

const redisPrefix = `e2e:replicas:${randomUUID()}:`;

/** The `event processed` debug lines of every consumer of one service, per replica. */
function outcomes(replicas: RunningApp[]): Array<Array<{ consumer: string; eventId: string; outcome: string }>> {
  return replicas.map((replica) =>
    replica.output.flatMap((line) => {
      if (!line.includes('"event processed"')) return [];
      const entry = JSON.parse(line) as { consumer: string; eventId: string; outcome: string };
      return [{ consumer: entry.consumer, eventId: entry.eventId, outcome: entry.outcome }];
    }),
  );
}

/**
 * The short version of `npm run chaos:scaling`: two replicas of every service and two gateways
 * on one database per service and one NATS, the gateways sharing their rate limits in Redis.
 */
describe('two replicas of everything', () => {
  const e2e = usePlatform(
    {
      GATEWAY_REDIS_URL: 'redis://127.0.0.1:6379',
      GATEWAY_RATE_LIMIT_REDIS_PREFIX: redisPrefix,
      GATEWAY_UPSTREAM_PROBE_INTERVAL_MS: '200',
      NOTIFICATIONS_LOG_LEVEL: 'debug',
      BILLING_LOG_LEVEL: 'debug',
      DATABASE_POOL_MAX: '4',
    },
    { replicas: 2 },
    { readyTimeoutMs: 180_000 },
  );
  afterAll(async () => {
    const redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
    const keys = await redis.keys(`${redisPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });
  const registered: RegisteredUser[] = [];

  it('each event is handled by exactly one replica of each consumer; throttling, idempotency keys and rate limits hold across replicas', async () => {
    const [one, two] = e2e.platform.gatewayUrls.map((url) => gatewayClient(url));
    if (!one || !two) throw new Error('two gateways expected');
    for (let i = 0; i < 8; i++) registered.push((await registerUser(i % 2 ? two : one)).user);
    const payer = await signUp(one, 'payer');
    registered.push(payer.user);
    const admin = await login(two, ADMIN.email, ADMIN.password);
    await payInvoiceTwice(one, two, { user: payer.tokens.accessToken, admin: admin.accessToken });

    // Five failures per e-mail across both gateways and both users replicas: one counter.
    const victim = await registerUser(one);
    registered.push(victim.user);
    expect(await wrongPasswords([one, two], victim.email, 7)).toEqual([401, 401, 401, 401, 401, 429, 429]);

    await e2e.quiet.wait(30_000);
    // Durable consumers shared: every registration handled once, by one replica, never twice.
    for (const service of ['notifications', 'billing'] as const) {
      const perReplica = outcomes(e2e.platform.replicas[service]);
      // Per consumer (a service has several, each with its own durable) and event: one 'handled' line in all replicas.
      const handled = perReplica.flat().filter((o) => o.outcome === 'handled').map((o) => `${o.consumer} ${o.eventId}`);
      expect(handled.length).toBeGreaterThan(0);
      expect(new Set(handled).size).toBe(handled.length);
      expect(perReplica.flat().filter((o) => o.outcome === 'duplicate')).toEqual([]);
    }
    const registrations = await e2e.readEvents('USERS', userRegisteredV1.type);
    // Ours, plus the seeded admin's.
    const registeredIds = registrations.map((message) => (JSON.parse(message.data) as { data: { userId: string } }).data.userId);
    expect(registeredIds).toEqual(expect.arrayContaining(registered.map((user) => user.id)));
    expect(registrations).toHaveLength(registered.length + 1);
    const notificationsHandled = new Set(outcomes(e2e.platform.replicas.notifications).flat().map((o) => o.eventId));
    for (const message of registrations) expect(notificationsHandled.has((JSON.parse(message.data) as { id: string }).id)).toBe(true);

    // Both gateways count in the same Redis keys.
    const redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
    expect(await redis.exists(`${redisPrefix}client:127.0.0.1`)).toBe(1);
    await redis.quit();
  }, 120_000);

  it('one replica of each app SIGKILLed under load: nothing lost, nothing twice, no 500', async () => {
    const load = registrationLoad(balancedClient(e2e.platform.gatewayUrls), 2);
    await waitFor(() => load.users.length >= 4, { timeoutMs: 30_000 });
    const codes = await Promise.all((['gateway', ...services] as const).map((app) => e2e.platform.kill(app, 'SIGKILL', 1)));
    expect(codes.every((code) => code === null)).toBe(true);
    const killedAt = load.users.length;
    await waitFor(() => load.users.length >= killedAt + 8, { timeoutMs: 60_000 });
    await load.stop();
    // Messages the dead replicas had fetched come back to the survivors once their ack wait ends.
    await e2e.quiet.wait(90_000);

    expect(load.statuses.filter((status) => status >= 500 && status !== 503)).toEqual([]);
    const users = [...registered, ...load.users];
    const ids = users.map((user) => user.id);
    const count = async (service: (typeof services)[number], query: string) =>
      Number((await e2e.quiet.db(service).sql.unsafe<{ n: number }[]>(query, [ids]))[0]?.n);
    expect(await count('notifications', `select count(*)::int as n from notifications where template = 'welcome' and channel = 'in_app' and user_id = any($1::uuid[])`)).toBe(users.length);
    expect(await count('billing', 'select count(*)::int as n from billing_users where user_id = any($1::uuid[])')).toBe(users.length);
    expect(await count('analytics', `select count(*)::int as n from events where type = '${userRegisteredV1.type}' and (data->>'userId')::uuid = any($1::uuid[])`)).toBe(users.length);
    // The outbox relays: every row published, once in the stream (no replica published a row twice).
    const [outbox] = await e2e.quiet.db('users').sql<{ total: number; unpublished: number }[]>`
      select count(*)::int as total, count(*) filter (where published_at is null)::int as unpublished from outbox where subject = ${userRegisteredV1.type}`;
    expect(outbox?.unpublished).toBe(0);
    expect(await e2e.countEvents('USERS', userRegisteredV1.type)).toBe(outbox?.total);
  }, 240_000);
});
