import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { userRegisteredV1 } from '@platform/contracts';
import { sampleEvent } from '@platform/contracts/testing';
import type { HttpApp } from '@platform/http-kit';
import { createLogger } from '@platform/logging';
import { waitFor } from '@platform/messaging/testing';
import { createTestServiceEnv, type TestServiceEnv } from '@platform/service-kit/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { defaultMailConfig } from '../src/config.js';

let env: TestServiceEnv;
let app: HttpApp;
let dir: string;
const lines: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  env = await createTestServiceEnv('notifications');
  dir = await mkdtemp(join(tmpdir(), 'mail-'));
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  const logger = createLogger({ service: 'notifications', level: 'info', destination: sink });
  app = await buildApp({ ...env.config, mail: defaultMailConfig({ devDir: dir, pollIntervalMs: 50 }) }, { logger });
});

afterAll(async () => {
  await app?.close();
  await env?.cleanup();
  await rm(dir, { recursive: true, force: true });
});

it('without SMTP_URL says so at start and records each e-mail as an .eml file', async () => {
  expect(lines.some((l) => String(l.msg).startsWith('no SMTP_URL: e-mails are recorded') && l.transport === 'development')).toBe(true);
  const userId = randomUUID();
  await env.messaging.js.publish(
    env.messaging.subject(userRegisteredV1.type),
    JSON.stringify(sampleEvent(userRegisteredV1.type, { userId, email: 'dev@example.com' })),
  );
  const [file] = await waitFor(async () => {
    const files = await readdir(dir);
    return files.length ? files : undefined;
  }, { timeoutMs: 15_000 });
  const eml = await readFile(join(dir, file!), 'utf8');
  expect(eml).toMatch(/^To: dev@example.com$/m);
  expect(eml).toMatch(/^Subject: Welcome to the Platform$/m);
  await waitFor(() => lines.some((l) => l.msg === 'development mail recorded (no SMTP_URL)'));
});
