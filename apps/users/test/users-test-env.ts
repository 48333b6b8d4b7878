import type { HttpApp } from '@platform/http-kit';
import { bearer, expectEnvelope, signTestToken, type SignTestTokenOptions, type TestClaims } from '@platform/http-kit/testing';
import { createTestServiceEnv, type TestServiceEnv } from '@platform/service-kit/testing';
import { buildApp } from '../src/app.js';
import { signingKeyFrom, type UsersSettings } from '../src/config.js';

export const ADMIN_EMAIL = 'admin@example.com';
export const ADMIN_PASSWORD = 'Admin-Passw0rd!';
export const PASSWORD = 'Str0ng-Passw0rd';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: string;
  expiresIn: number;
}

export interface UserBody {
  id: string;
  email: string;
  fullName: string;
  role: string;
  isActive: boolean;
  [field: string]: unknown;
}

export interface UsersTestEnv {
  env: TestServiceEnv;
  app: HttpApp;
  settings: UsersSettings;
  /** A token signed with the service's own key, with any claims (e.g. an unknown user or role). */
  sign(claims?: TestClaims, options?: SignTestTokenOptions): string;
  register(email: string, fullName?: string, password?: string): Promise<UserBody>;
  login(email: string, password?: string, headers?: Record<string, string>): Promise<TokenPair>;
  /** Registers and logs in: the user and a real token pair. */
  signUp(email: string, fullName?: string): Promise<{ user: UserBody; tokens: TokenPair; auth: { authorization: string } }>;
  adminAuth(): Promise<{ authorization: string }>;
  close(): Promise<void>;
}

let counter = 0;
/** A unique e-mail per call, so tests in one file never collide. */
export function uniqueEmail(label = 'user'): string {
  counter += 1;
  return `${label}-${counter}-${Math.random().toString(36).slice(2, 8)}@example.com`;
}

/**
 * The users service as `main.ts` builds it, on a fresh database and event namespace, with the
 * test env's key pair as its signing key and the admin seeded.
 */
export async function createUsersTestEnv(overrides: Partial<UsersSettings> = {}): Promise<UsersTestEnv> {
  const env = await createTestServiceEnv('users');
  const settings: UsersSettings = {
    signingKey: signingKeyFrom(env.keys.privateKeyPem),
    accessTokenTtlSec: 1800,
    refreshTokenTtlSec: 604_800,
    admin: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
    throttle: { maxFailuresPerEmail: 5, maxFailuresPerClient: 50, windowSec: 900 },
    trustProxy: ['127.0.0.1', '::1'],
    ...overrides,
  };
  const app = await buildApp({ ...env.config, users: settings });
  const keys = { ...env.keys, kid: settings.signingKey.kid };

  const register: UsersTestEnv['register'] = async (email, fullName = 'Test User', password = PASSWORD) => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { email, password, fullName } });
    return expectEnvelope<UserBody>(res, { status: 201, code: 'SUCCESS', module: 'users' }).data;
  };
  const login: UsersTestEnv['login'] = async (email, password = PASSWORD, headers = {}) => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password }, headers });
    return expectEnvelope<TokenPair>(res, { status: 200, code: 'SUCCESS', module: 'users' }).data;
  };
  let admin: { authorization: string } | undefined;

  return {
    env,
    app,
    settings,
    sign: (claims = {}, options = {}) => signTestToken(keys, claims, options),
    register,
    login,
    async signUp(email, fullName) {
      const user = await register(email, fullName);
      const tokens = await login(email);
      return { user, tokens, auth: bearer(tokens.accessToken) };
    },
    async adminAuth() {
      admin ??= bearer((await login(ADMIN_EMAIL, ADMIN_PASSWORD)).accessToken);
      return admin;
    },
    async close() {
      await app?.close();
      await env.cleanup();
    },
  };
}
