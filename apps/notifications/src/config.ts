import { isAbsolute, resolve } from 'node:path';
import * as z from 'zod';
import { envInt, findWorkspaceRoot, loadConfig, urlSchema, type Env } from '@platform/config';
import { serviceEnvSchema, toServiceConfig, type ServiceConfig } from '@platform/service-kit';

export const notificationsEnvSchema = serviceEnvSchema(3003).extend({
  /** smtp(s)://user:pass@host:port; unset = development transport that records each message. */
  SMTP_URL: urlSchema(['smtp', 'smtps']).optional(),
  MAIL_FROM: z.string().min(3).default('no-reply@platform.local'),
  /** Send attempts per e-mail before it is `failed`. */
  MAIL_MAX_ATTEMPTS: envInt(5, { min: 1, max: 100 }),
  /** First retry delay; doubles per attempt up to MAIL_RETRY_MAX_MS. */
  MAIL_RETRY_BASE_MS: envInt(2_000, { min: 1 }),
  MAIL_RETRY_MAX_MS: envInt(300_000, { min: 1 }),
  /** Whole-send budget (connect, greeting, data) for one e-mail. */
  MAIL_SEND_TIMEOUT_MS: envInt(10_000, { min: 100 }),
  /** How often the sender looks for pending deliveries. */
  MAIL_POLL_INTERVAL_MS: envInt(1_000, { min: 10 }),
  /** Deliveries claimed (and sent concurrently) per round. */
  MAIL_BATCH_SIZE: envInt(10, { min: 1, max: 500 }),
  /** Where the development transport writes `.eml` files (relative to the workspace root). */
  MAIL_DEV_DIR: z.string().min(1).default('.data/mail'),
});

export interface MailConfig {
  smtpUrl?: string;
  from: string;
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  sendTimeoutMs: number;
  pollIntervalMs: number;
  batchSize: number;
  devDir: string;
}

export type NotificationsConfig = ServiceConfig & { mail: MailConfig };

/** Defaults as documented in `.env.example`, for callers that build a config by hand (tests). */
export function defaultMailConfig(overrides: Partial<MailConfig> = {}): MailConfig {
  return {
    from: 'no-reply@platform.local',
    maxAttempts: 5,
    retryBaseMs: 2_000,
    retryMaxMs: 300_000,
    sendTimeoutMs: 10_000,
    pollIntervalMs: 1_000,
    batchSize: 10,
    devDir: resolveFromRoot('.data/mail'),
    ...overrides,
  };
}

function resolveFromRoot(path: string): string {
  return isAbsolute(path) ? path : resolve(findWorkspaceRoot(process.cwd()) ?? process.cwd(), path);
}

/** Validates the environment once; a bad variable stops the process with one line. */
export function loadNotificationsConfig(env: Env): NotificationsConfig {
  const parsed = loadConfig(notificationsEnvSchema, env);
  return {
    ...toServiceConfig('notifications', parsed),
    mail: {
      smtpUrl: parsed.SMTP_URL,
      from: parsed.MAIL_FROM,
      maxAttempts: parsed.MAIL_MAX_ATTEMPTS,
      retryBaseMs: parsed.MAIL_RETRY_BASE_MS,
      retryMaxMs: parsed.MAIL_RETRY_MAX_MS,
      sendTimeoutMs: parsed.MAIL_SEND_TIMEOUT_MS,
      pollIntervalMs: parsed.MAIL_POLL_INTERVAL_MS,
      batchSize: parsed.MAIL_BATCH_SIZE,
      devDir: resolveFromRoot(parsed.MAIL_DEV_DIR),
    },
  };
}
