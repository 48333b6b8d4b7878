import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, parseConfig, serviceEnv } from './index.js';
import { baseEnvSchema, databaseUrlSchema, envBoolean, envInt, envList, portSchema } from './schemas.js';

const schema = baseEnvSchema.extend({
  PORT: portSchema(3001),
  DATABASE_URL: databaseUrlSchema,
  DOCS_ENABLED: envBoolean(false),
  TIMEOUT_MS: envInt(10_000, { min: 1 }),
  CORS_ORIGINS: envList(),
});

describe('parseConfig', () => {
  it('applies defaults and coerces strings', () => {
    const config = parseConfig(schema, {
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/users',
      DOCS_ENABLED: 'true',
      CORS_ORIGINS: 'http://a.test, http://b.test,',
    });
    expect(config).toEqual({
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      HOST: '127.0.0.1',
      PORT: 3001,
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/users',
      DOCS_ENABLED: true,
      TIMEOUT_MS: 10_000,
      CORS_ORIGINS: ['http://a.test', 'http://b.test'],
    });
  });

  it('names the missing variable in one line', () => {
    expect(() => parseConfig(schema, {})).toThrow(ConfigError);
    try {
      parseConfig(schema, {});
    } catch (error) {
      expect((error as Error).message).toMatch(/^Invalid configuration: DATABASE_URL /);
      expect((error as Error).message).not.toContain('\n');
    }
  });

  it('names every malformed variable', () => {
    const run = () =>
      parseConfig(schema, { DATABASE_URL: 'mysql://x', PORT: '70000', LOG_LEVEL: 'loud', DOCS_ENABLED: 'maybe' });
    expect(run).toThrow(/DATABASE_URL must be a postgres or postgresql URL/);
    expect(run).toThrow(/PORT /);
    expect(run).toThrow(/LOG_LEVEL /);
    expect(run).toThrow(/DOCS_ENABLED must be true or false/);
  });

  it('treats an empty variable as unset', () => {
    const config = parseConfig(z.object({ SMTP_URL: z.string().optional() }), { SMTP_URL: '' });
    expect(config.SMTP_URL).toBeUndefined();
  });
});

describe('serviceEnv', () => {
  it('lets a service-prefixed variable win over the plain one', () => {
    const env = serviceEnv('users', { PORT: '80', USERS_PORT: '3001', BILLING_PORT: '3002', NATS_URL: 'nats://x' });
    expect(env.PORT).toBe('3001');
    expect(env.NATS_URL).toBe('nats://x');
  });

  it('spells a hyphenated service with underscores (a shell variable has no hyphen)', () => {
    const env = serviceEnv('order-books', { PORT: '80', ORDER_BOOKS_PORT: '3005', 'ORDER-BOOKS_PORT': '1' });
    expect(env.PORT).toBe('3005');
  });
});
