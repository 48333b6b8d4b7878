import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '@platform/config';
import { keyId } from '@platform/service-kit';
import { describe, expect, it } from 'vitest';
import { signingKeyFrom, usersEnvSchema } from './config.js';

const dir = mkdtempSync(join(tmpdir(), 'users-config-'));
const { privateKey, publicKey } = generateKeyPairSync('ed25519', {
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
writeFileSync(join(dir, 'private.pem'), privateKey);
writeFileSync(join(dir, 'public.pem'), publicKey);
const base = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/users', JWT_PRIVATE_KEY_FILE: join(dir, 'private.pem'), JWT_PUBLIC_KEY_FILE: join(dir, 'public.pem') };

describe('users configuration', () => {
  it('applies the contract defaults', () => {
    const env = parseConfig(usersEnvSchema, base);
    expect(env).toMatchObject({
      ACCESS_TOKEN_TTL_SECONDS: 1800,
      REFRESH_TOKEN_TTL_SECONDS: 604_800,
      LOGIN_MAX_FAILURES_PER_EMAIL: 5,
      LOGIN_MAX_FAILURES_PER_CLIENT: 50,
      LOGIN_FAILURE_WINDOW_SECONDS: 900,
      TRUST_PROXY: ['127.0.0.1', '::1'],
    });
    expect(env.ADMIN_EMAIL).toBeUndefined();
  });

  it('parses TRUST_PROXY as false, true or a list', () => {
    expect(parseConfig(usersEnvSchema, { ...base, TRUST_PROXY: 'false' }).TRUST_PROXY).toBe(false);
    expect(parseConfig(usersEnvSchema, { ...base, TRUST_PROXY: 'true' }).TRUST_PROXY).toBe(true);
    expect(parseConfig(usersEnvSchema, { ...base, TRUST_PROXY: 'loopback, 10.0.0.0/8' }).TRUST_PROXY).toEqual(['loopback', '10.0.0.0/8']);
  });

  it('normalises ADMIN_EMAIL, holds ADMIN_PASSWORD to the policy, and wants both or neither', () => {
    expect(parseConfig(usersEnvSchema, { ...base, ADMIN_EMAIL: ' Admin@Example.com', ADMIN_PASSWORD: 'Admin-Passw0rd!' }).ADMIN_EMAIL).toBe('admin@example.com');
    expect(() => parseConfig(usersEnvSchema, { ...base, ADMIN_EMAIL: 'admin@example.com', ADMIN_PASSWORD: 'weak' })).toThrow(/ADMIN_PASSWORD/);
    expect(() => parseConfig(usersEnvSchema, { ...base, ADMIN_EMAIL: 'admin@example.com' })).toThrow(/ADMIN_PASSWORD/);
  });

  it('refuses a missing private key file and a public key in its place', () => {
    expect(() => parseConfig(usersEnvSchema, { ...base, JWT_PRIVATE_KEY_FILE: join(dir, 'nope.pem') })).toThrow(/JWT_PRIVATE_KEY_FILE/);
    expect(() => parseConfig(usersEnvSchema, { ...base, JWT_PRIVATE_KEY_FILE: join(dir, 'public.pem') })).toThrow(/JWT_PRIVATE_KEY_FILE/);
  });

  it('derives the public key and the RFC 7638 kid from the private key', () => {
    const key = signingKeyFrom(privateKey);
    expect(key.publicKeyPem.trim()).toBe(publicKey.trim());
    expect(key.kid).toBe(keyId(publicKey));
  });
});
