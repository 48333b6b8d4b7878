import { userRegisteredV1 } from '@platform/contracts';
import type { HttpApp } from '@platform/http-kit';
import { createTestServiceEnv, type TestServiceEnv } from '@platform/service-kit/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { signingKeyFrom, type UsersSettings } from '../src/config.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD } from './users-test-env.js';

let env: TestServiceEnv | undefined;
const apps: HttpApp[] = [];
afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()));
  await env?.cleanup();
});

describe('admin seeding', () => {
  it('two replicas starting at once create one admin and one registered event; a restart changes nothing', async () => {
    const current = await createTestServiceEnv('users');
    env = current;
    const settings: UsersSettings = {
      signingKey: signingKeyFrom(current.keys.privateKeyPem),
      accessTokenTtlSec: 1800,
      refreshTokenTtlSec: 604_800,
      admin: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
      throttle: { maxFailuresPerEmail: 5, maxFailuresPerClient: 50, windowSec: 900 },
      trustProxy: false,
    };
    const config = { ...current.config, users: settings };
    apps.push(...(await Promise.all([buildApp(config), buildApp(config)])));
    const admins = () => current.database.sql<{ role: string }[]>`select role from users where email = ${ADMIN_EMAIL}`;
    const events = async () =>
      Number((await current.database.sql<{ n: string }[]>`select count(*) as n from outbox where subject = ${userRegisteredV1.type}`)[0]?.n);
    expect(await admins()).toEqual([{ role: 'admin' }]);
    expect(await events()).toBe(1);

    const restarted = await buildApp(config);
    apps.push(restarted);
    expect(await admins()).toHaveLength(1);
    expect(await events()).toBe(1);
    const login = await restarted.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
    expect(login.statusCode).toBe(200);
  });
});
