import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '@platform/logging';
import { withDeadline } from '@platform/resilience';
import nodemailer from 'nodemailer';
import type { MailConfig } from '../config.js';

export interface OutgoingMail {
  deliveryId: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface MailTransport {
  /** `smtp` or `development`, and where mail goes (never credentials). */
  kind: 'smtp' | 'development';
  target: string;
  /** Rejects on failure or after the send timeout; errors keep nodemailer's `responseCode`. */
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/** `<delivery id@sender's domain>`: stable per delivery (RFC 5322 §3.6.4 wants it unique per message). */
export function messageIdFor(deliveryId: string, from: string): string {
  const domain = /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'platform.local';
  return `<${deliveryId}@${domain}>`;
}

/**
 * SMTP when `SMTP_URL` is set; otherwise a development transport that renders the full message
 * and writes it as an `.eml` file (open it in any mail client) plus a log line.
 */
export function createMailTransport(config: MailConfig, logger: Logger): MailTransport {
  const headersOf = (mail: OutgoingMail) => ({
    from: config.from,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    // The same on every attempt: a copy sent again (see the README: when that can happen) is
    // recognisably the same message to mail servers and clients.
    messageId: messageIdFor(mail.deliveryId, config.from),
    headers: { 'X-Delivery-Id': mail.deliveryId },
  });

  if (config.smtpUrl) {
    const url = new URL(config.smtpUrl);
    const perStep = config.sendTimeoutMs;
    const smtp = nodemailer.createTransport({
      url: config.smtpUrl,
      connectionTimeout: perStep,
      greetingTimeout: perStep,
      socketTimeout: perStep,
    });
    return {
      kind: 'smtp',
      target: `${url.protocol}//${url.hostname}:${url.port || (url.protocol === 'smtps:' ? 465 : 587)}`,
      async send(mail) {
        await withDeadline(smtp.sendMail(headersOf(mail)), config.sendTimeoutMs, () => {
          throw Object.assign(new Error(`send timed out after ${config.sendTimeoutMs} ms`), { code: 'ETIMEDOUT' });
        });
      },
      close: () => smtp.close(),
    };
  }

  const stream = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    kind: 'development',
    target: config.devDir,
    async send(mail) {
      const info = await stream.sendMail(headersOf(mail));
      await mkdir(config.devDir, { recursive: true });
      const file = join(config.devDir, `${mail.deliveryId}.eml`);
      await writeFile(file, info.message as Buffer);
      logger.info({ deliveryId: mail.deliveryId, subject: mail.subject, file }, 'development mail recorded (no SMTP_URL)');
    },
    close: () => stream.close(),
  };
}
