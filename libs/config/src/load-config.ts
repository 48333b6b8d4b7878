import * as z from 'zod';
import { ConfigError, describeIssues } from './errors.js';

export type Env = Record<string, string | undefined>;

/** Empty strings count as "not set", so `FOO=` in an env file falls back to the default. */
function withoutEmpty(env: Env): Env {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
}

/** Parses `env` with `schema`; throws a ConfigError naming every bad variable on one line. */
export function parseConfig<S extends z.ZodType>(schema: S, env: Env): z.infer<S> {
  const result = schema.safeParse(withoutEmpty(env));
  if (!result.success) throw new ConfigError(describeIssues(result.error.issues));
  return result.data;
}

/**
 * For `main.ts` only: a bad environment stops the process with exactly one clear line
 * (operators read it in a container log), never a stack trace.
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: Env = process.env): z.infer<S> {
  try {
    return parseConfig(schema, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}

/**
 * One `.env` serves five processes locally: `USERS_PORT` is the users service's `PORT`.
 * A prefixed variable wins over the plain one; containers set the plain names.
 */
export function serviceEnv(service: string, env: Env = process.env): Env {
  // `order-books` → `ORDER_BOOKS_`: a hyphen is not allowed in a shell variable name.
  const prefix = `${service.toUpperCase().replace(/-/g, '_')}_`;
  const scoped: Env = { ...env };
  for (const [key, value] of Object.entries(env)) {
    if (key.startsWith(prefix) && value !== undefined && value !== '') scoped[key.slice(prefix.length)] = value;
  }
  return scoped;
}
