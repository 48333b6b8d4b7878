import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, parseConfig, serviceEnv } from '@platform/config';
import { describe, expect, it } from 'vitest';
import { keyId } from './key-id.js';
import { serviceEnvSchema, toServiceConfig } from './service-config.js';

function keyFiles() {
  const dir = mkdtempSync(join(tmpdir(), 'svc-keys-'));
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
  writeFileSync(join(dir, 'public.pem'), publicPem);
  writeFileSync(join(dir, 'private.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
  return { dir, publicPem };
}

const base = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/billing' };

describe('service configuration', () => {
  it('maps the environment to the service config with the key id derived from the key', () => {
    const { dir, publicPem } = keyFiles();
    const config = toServiceConfig('billing', parseConfig(serviceEnvSchema(3002), { ...base, JWT_PUBLIC_KEY_FILE: join(dir, 'public.pem') }));
    expect(config).toMatchObject({
      service: 'billing',
      port: 3002,
      natsUrl: 'nats://127.0.0.1:4222',
      eventNamespace: '',
      autoCreateDatabase: true,
      bodyLimit: 1_048_576,
      http: { requestTimeoutMs: 30_000, headersTimeoutMs: 10_000, keepAliveTimeoutMs: 72_000, socketTimeoutMs: 60_000, maxConnectionsPerClient: 256 },
      auth: { issuer: 'platform-users', audience: 'platform-api', publicKeys: [{ kid: keyId(publicPem), pem: publicPem }] },
    });
  });

  it('creates databases by default only outside production, unless told', () => {
    const { dir } = keyFiles();
    const env = { ...base, JWT_PUBLIC_KEY_FILE: join(dir, 'public.pem') };
    const parse = (extra: Record<string, string>) => toServiceConfig('billing', parseConfig(serviceEnvSchema(3002), { ...env, ...extra }));
    expect(parse({ NODE_ENV: 'production' }).autoCreateDatabase).toBe(false);
    expect(parse({ NODE_ENV: 'production', DATABASE_AUTO_CREATE: 'true' }).autoCreateDatabase).toBe(true);
    expect(parse({ DATABASE_AUTO_CREATE: 'false' }).autoCreateDatabase).toBe(false);
  });

  it('reads the HTTP timeouts, never letting the headers wait longer than the whole request', () => {
    const { dir } = keyFiles();
    const config = toServiceConfig(
      'billing',
      parseConfig(serviceEnvSchema(3002), { ...base, JWT_PUBLIC_KEY_FILE: join(dir, 'public.pem'), HTTP_REQUEST_TIMEOUT_MS: '5000', HTTP_HEADERS_TIMEOUT_MS: '8000', HTTP_MAX_CONNECTIONS_PER_CLIENT: '0' }),
    );
    expect(config.http).toMatchObject({ requestTimeoutMs: 5_000, headersTimeoutMs: 5_000, maxConnectionsPerClient: 0 });
    expect(() => parseConfig(serviceEnvSchema(3002), { ...base, JWT_PUBLIC_KEY_FILE: join(dir, 'public.pem'), HTTP_REQUEST_TIMEOUT_MS: 'soon' })).toThrow(/HTTP_REQUEST_TIMEOUT_MS/);
  });

  it('reads retention and the shutdown drain delay, with their documented defaults and bounds', () => {
    const { dir } = keyFiles();
    const env = { ...base, JWT_PUBLIC_KEY_FILE: join(dir, 'public.pem') };
    const parse = (extra: Record<string, string> = {}) => toServiceConfig('billing', parseConfig(serviceEnvSchema(3002), { ...env, ...extra }));
    expect(parse()).toMatchObject({
      shutdownDrainDelayMs: 0,
      retention: { intervalMs: 3_600_000, outboxMs: 168 * 3_600_000, inboxMs: 168 * 3_600_000 },
    });
    expect(parse({ SHUTDOWN_DRAIN_DELAY_MS: '5000', OUTBOX_RETENTION_HOURS: '24', RETENTION_INTERVAL_SECONDS: '60' })).toMatchObject({
      shutdownDrainDelayMs: 5_000,
      retention: { intervalMs: 60_000, outboxMs: 24 * 3_600_000 },
    });
    // A drain longer than the 10 s shutdown budget allows, or inbox ids kept for less than a day: refused.
    expect(() => parse({ SHUTDOWN_DRAIN_DELAY_MS: '9000' })).toThrow(/SHUTDOWN_DRAIN_DELAY_MS/);
    expect(() => parse({ INBOX_RETENTION_HOURS: '1' })).toThrow(/INBOX_RETENTION_HOURS/);
  });

  it("reads the outbox relay's fallback poll: 1 s by default, bounded", () => {
    const { dir } = keyFiles();
    const env = { ...base, JWT_PUBLIC_KEY_FILE: join(dir, 'public.pem') };
    const parse = (extra: Record<string, string> = {}) => toServiceConfig('billing', parseConfig(serviceEnvSchema(3002), { ...env, ...extra }));
    expect(parse().outboxPollIntervalMs).toBe(1_000);
    expect(parse({ OUTBOX_POLL_INTERVAL_MS: '250' }).outboxPollIntervalMs).toBe(250);
    // Never 0 (a busy loop) nor so long that a lost wake waits minutes.
    expect(() => parse({ OUTBOX_POLL_INTERVAL_MS: '0' })).toThrow(/OUTBOX_POLL_INTERVAL_MS/);
    expect(() => parse({ OUTBOX_POLL_INTERVAL_MS: '600000' })).toThrow(/OUTBOX_POLL_INTERVAL_MS/);
  });

  it('reads the pool size and the pooling mode, per service with its prefix', () => {
    const { dir } = keyFiles();
    const env = { ...base, JWT_PUBLIC_KEY_FILE: join(dir, 'public.pem') };
    const parse = (extra: Record<string, string> = {}) => toServiceConfig('billing', parseConfig(serviceEnvSchema(3002), serviceEnv('billing', { ...env, ...extra })));
    expect(parse().database).toEqual({ poolMax: 10, transactionPooling: false });
    expect(parse({ DATABASE_POOL_MAX: '20', BILLING_DATABASE_POOL_MAX: '4' }).database?.poolMax).toBe(4);
    expect(parse({ USERS_DATABASE_POOL_MAX: '4' }).database?.poolMax).toBe(10);
    const direct = 'postgres://postgres@127.0.0.1:5432/billing';
    expect(parse({ DATABASE_TRANSACTION_POOLING: 'true', DATABASE_URL: 'postgres://postgres@127.0.0.1:6432/billing', DATABASE_DIRECT_URL: direct }).database).toEqual({
      poolMax: 10,
      transactionPooling: true,
      directUrl: direct,
    });
    expect(() => parse({ DATABASE_POOL_MAX: '1' })).toThrow(/DATABASE_POOL_MAX/);
    expect(() => parse({ DATABASE_DIRECT_URL: 'http://x' })).toThrow(/DATABASE_DIRECT_URL/);
  });

  it('names a missing key file and a file that holds the wrong key', () => {
    const { dir } = keyFiles();
    const parse = (file: string) => parseConfig(serviceEnvSchema(3002), { ...base, JWT_PUBLIC_KEY_FILE: file });
    expect(() => parse(join(dir, 'absent.pem'))).toThrow(/JWT_PUBLIC_KEY_FILE no public key file at .*absent\.pem/);
    expect(() => parse(join(dir, 'private.pem'))).toThrow(/JWT_PUBLIC_KEY_FILE .*is not a PEM public key/);
    expect(() => parse(join(dir, 'private.pem'))).toThrow(ConfigError);
  });
});
