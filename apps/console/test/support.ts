import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HTTP_SERVER_DEFAULTS } from '@platform/config';
import { generateTestKeyPair, signTestToken, TEST_AUDIENCE, TEST_ISSUER } from '@platform/http-kit/testing';
import { createLogger } from '@platform/logging';
import { createTestMessaging, type TestMessaging } from '@platform/messaging/testing';
import { buildApp } from '../src/app.js';
import type { ConsoleConfig } from '../src/config.js';

export interface StubUser {
  id: string;
  email: string;
  fullName: string;
  role: 'user' | 'moderator' | 'admin';
  isActive: boolean;
}

/**
 * A stand-in for the gateway in front of users: `/users/me` answers the user whose id is the
 * token's subject (as users would, from its own table), login answers a token pair for a known
 * e-mail. Counts what it is asked, so the tests see the console's current-role checks.
 */
export function stubGateway(keys: ReturnType<typeof generateTestKeyPair>) {
  const users = new Map<string, StubUser>();
  const calls: string[] = [];
  const json = (res: ServerResponse, status: number, data: unknown, code = 'SUCCESS') => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ code, message: status < 400 ? 'OK' : 'Refused', module: 'users', data, requestId: randomUUID() }));
  };
  const body = async (req: IncomingMessage) => {
    let text = '';
    for await (const chunk of req) text += String(chunk);
    return text ? (JSON.parse(text) as Record<string, string>) : {};
  };
  const server: Server = createServer((req, res) => {
    void (async () => {
      calls.push(`${req.method} ${req.url}`);
      if (req.url === '/api/v1/users/me') {
        const token = req.headers.authorization?.split(' ')[1] ?? '';
        const sub = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString() || '{}').sub as string;
        const user = users.get(sub);
        if (!user) return json(res, 401, null, 'UNAUTHORIZED');
        return json(res, 200, { ...user, createdAt: new Date().toISOString(), updatedAt: new Date().toISOString(), lastLoginAt: null, profile: { bio: null, avatarUrl: null, phone: null, timezone: 'UTC', language: 'en' } });
      }
      if (req.url === '/api/v1/auth/login') {
        const { email } = await body(req);
        const user = [...users.values()].find((u) => u.email === email);
        if (!user) return json(res, 401, null, 'UNAUTHORIZED');
        const accessToken = signTestToken(keys, { sub: user.id, role: user.role });
        return json(res, 200, { accessToken, refreshToken: `refresh-${user.id}`, tokenType: 'Bearer', expiresIn: 1800 });
      }
      if (req.url === '/api/v1/auth/logout') return json(res, 200, null);
      return json(res, 404, null, 'NOT_FOUND');
    })();
  });
  return {
    users,
    calls,
    add(role: StubUser['role'], isActive = true): StubUser {
      const user = { id: randomUUID(), email: `${role}-${randomUUID().slice(0, 8)}@example.com`, fullName: `A ${role}`, role, isActive };
      users.set(user.id, user);
      return user;
    },
    async listen(): Promise<string> {
      await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
      return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    },
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

export interface ConsoleFixture {
  app: Awaited<ReturnType<typeof buildApp>>;
  messaging: TestMessaging;
  gateway: ReturnType<typeof stubGateway>;
  keys: ReturnType<typeof generateTestKeyPair>;
  tokenFor(user: StubUser): string;
  close(): Promise<void>;
}

/** The console on a NATS namespace of its own, a stub gateway, and a built site of one page. */
export async function consoleFixture(overrides: Partial<ConsoleConfig> = {}): Promise<ConsoleFixture> {
  const keys = generateTestKeyPair();
  const messaging = await createTestMessaging({ prefix: 'console' });
  await messaging.ensureStreams();
  const gateway = stubGateway(keys);
  const gatewayUrl = await gateway.listen();
  const staticDir = mkdtempSync(join(tmpdir(), 'console-site-'));
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Platform console</title><div id="root"></div>');
  const unreachable = 'http://127.0.0.1:9';
  const config: ConsoleConfig = {
    nodeEnv: 'test',
    logLevel: 'silent',
    host: '127.0.0.1',
    port: 0,
    gatewayUrl,
    apps: { gateway: gatewayUrl, users: unreachable, billing: unreachable, notifications: unreachable, analytics: unreachable },
    natsUrl: 'nats://127.0.0.1:4222',
    eventNamespace: messaging.namespace,
    auth: { publicKeys: [{ kid: keys.kid, pem: keys.publicKeyPem }], issuer: TEST_ISSUER, audience: TEST_AUDIENCE },
    staticDir,
    roleCheckCacheMs: 5_000,
    fetchTimeoutMs: 1_000,
    http: HTTP_SERVER_DEFAULTS,
    shutdownDrainDelayMs: 0,
    ...overrides,
  };
  const app = await buildApp(config, { logger: createLogger({ service: 'console', level: 'silent' }) });
  return {
    app,
    messaging,
    gateway,
    keys,
    tokenFor: (user) => signTestToken(keys, { sub: user.id, role: user.role }),
    async close() {
      await app.close();
      await gateway.close();
      await messaging.cleanup();
    },
  };
}
