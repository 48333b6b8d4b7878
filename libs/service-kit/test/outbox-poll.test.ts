// The relay's fallback poll, as createService sets it from OUTBOX_POLL_INTERVAL_MS: a row whose
// wake never came (written behind the service's back, as by a replica that died after its commit)
// is still published, within the poll bound.
import { fileURLToPath } from 'node:url';
import { userLoggedInV1 } from '@platform/contracts';
import { sampleEvent } from '@platform/contracts/testing';
import { captureLogs } from '@platform/logging/testing';
import { countSubjectMessages, waitFor } from '@platform/messaging/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createService, type Service } from '../src/index.js';
import { countWakes } from './count-wakes.js';
import { createTestServiceEnv, type TestServiceEnv } from '../src/testing/index.js';

const migrationsFolder = fileURLToPath(new URL('../../messaging/test/migrations', import.meta.url));
const POLL_MS = 400;
const logs = captureLogs('outbox-poll-test', 'info');

let env: TestServiceEnv;
let service: Service<Record<string, never>>;
let wakes: ReturnType<typeof countWakes>;

beforeAll(async () => {
  env = await createTestServiceEnv('outbox_poll', { outboxPollIntervalMs: POLL_MS });
  service = await createService({ config: env.config, logger: logs.logger, schema: {}, migrationsFolder });
  wakes = countWakes(service.ctx.relay);
});
afterAll(async () => {
  await service?.app.close();
  await env?.cleanup();
});

const published = () => countSubjectMessages(env.messaging.jsm, env.messaging.streamName('USERS'), env.messaging.subject(userLoggedInV1.type));

describe("createService: the relay's fallback poll", () => {
  it('runs at the configured interval', () => {
    const started = logs.lines.find((line) => line.msg === 'outbox relay started');
    expect(started?.pollIntervalMs).toBe(POLL_MS);
  });

  it('publishes a committed row no wake announced, within a few poll periods', async () => {
    const before = { wakes: wakes.count(), published: await published() };
    const event = sampleEvent(userLoggedInV1.type);
    // Raw SQL on the test's own connection: no drizzle transaction of the service, so no wake.
    await env.database.sql`insert into outbox (id, subject, payload) values (${event.id}, ${userLoggedInV1.type}, ${JSON.stringify(event)}::jsonb)`;
    const marked = async () => {
      const [row] = await env.database.sql<Array<{ published_at: Date | null }>>`select published_at from outbox where id = ${event.id}`;
      return row?.published_at != null;
    };
    // Bounded by ten poll periods: the poll, not a wake (none came), published and marked it.
    await waitFor(async () => (await published()) === before.published + 1 && (await marked()), { timeoutMs: 10 * POLL_MS, intervalMs: 20 });
    expect(wakes.count()).toBe(before.wakes);
  });
});
