import { createPublicKey } from 'node:crypto';
import { envInt, loadConfig, type Env } from '@platform/config';
import { keyId, privateKeyFileSchema, serviceEnvSchema, toServiceConfig, type ServiceConfig } from '@platform/service-kit';
import * as z from 'zod';
import { passwordProblems } from './domain/password-policy.js';
import { emailSchema } from './domain/user-input.js';

/** `false`, `true` (trust every hop: only behind a proxy that strips the header) or a list of addresses / CIDRs / proxy-addr names. */
const trustProxySchema = z
  .string()
  .default('127.0.0.1,::1')
  .transform((value): boolean | string[] => {
    const text = value.trim().toLowerCase();
    if (text === 'false' || text === '') return false;
    if (text === 'true') return true;
    return value.split(',').map((item) => item.trim()).filter(Boolean);
  });

export const usersEnvSchema = serviceEnvSchema(3001)
  .extend({
    JWT_PRIVATE_KEY_FILE: privateKeyFileSchema,
    ACCESS_TOKEN_TTL_SECONDS: envInt(1800, { min: 60, max: 86_400 }),
    REFRESH_TOKEN_TTL_SECONDS: envInt(604_800, { min: 300, max: 31_536_000 }),
    ADMIN_EMAIL: emailSchema.optional(),
    ADMIN_PASSWORD: z
      .string()
      .optional()
      .superRefine((value, ctx) => {
        for (const message of value === undefined ? [] : passwordProblems(value)) ctx.addIssue({ code: 'custom', message });
      }),
    LOGIN_MAX_FAILURES_PER_EMAIL: envInt(5, { min: 1 }),
    LOGIN_MAX_FAILURES_PER_CLIENT: envInt(50, { min: 1 }),
    LOGIN_FAILURE_WINDOW_SECONDS: envInt(900, { min: 1 }),
    /** Whose `X-Forwarded-For` gives `request.ip` (the gateway's, on loopback by default). */
    TRUST_PROXY: trustProxySchema,
  })
  .refine((env) => (env.ADMIN_EMAIL === undefined) === (env.ADMIN_PASSWORD === undefined), {
    message: 'ADMIN_EMAIL and ADMIN_PASSWORD go together',
    path: ['ADMIN_PASSWORD'],
  });

export interface SigningKey {
  kid: string;
  privateKeyPem: string;
  publicKeyPem: string;
}

/** What only the users service reads, beyond every service's `ServiceConfig`. */
export interface UsersSettings {
  signingKey: SigningKey;
  accessTokenTtlSec: number;
  refreshTokenTtlSec: number;
  /** Seeded at start when missing; null = no seeding. */
  admin: { email: string; password: string } | null;
  throttle: { maxFailuresPerEmail: number; maxFailuresPerClient: number; windowSec: number };
  trustProxy: boolean | string[];
}

export type UsersConfig = ServiceConfig & { users: UsersSettings };

/** The signing key with its public half and RFC 7638 `kid`, derived so they can never disagree. */
export function signingKeyFrom(privateKeyPem: string): SigningKey {
  const publicKeyPem = createPublicKey(privateKeyPem).export({ type: 'spki', format: 'pem' }).toString();
  return { kid: keyId(publicKeyPem), privateKeyPem, publicKeyPem };
}

/** Validates the environment once; a bad variable stops the process with one line. */
export function loadUsersConfig(env: Env): UsersConfig {
  const parsed = loadConfig(usersEnvSchema, env);
  return {
    ...toServiceConfig('users', parsed),
    users: {
      signingKey: signingKeyFrom(parsed.JWT_PRIVATE_KEY_FILE),
      accessTokenTtlSec: parsed.ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlSec: parsed.REFRESH_TOKEN_TTL_SECONDS,
      admin: parsed.ADMIN_EMAIL && parsed.ADMIN_PASSWORD ? { email: parsed.ADMIN_EMAIL, password: parsed.ADMIN_PASSWORD } : null,
      throttle: {
        maxFailuresPerEmail: parsed.LOGIN_MAX_FAILURES_PER_EMAIL,
        maxFailuresPerClient: parsed.LOGIN_MAX_FAILURES_PER_CLIENT,
        windowSec: parsed.LOGIN_FAILURE_WINDOW_SECONDS,
      },
      trustProxy: parsed.TRUST_PROXY,
    },
  };
}
