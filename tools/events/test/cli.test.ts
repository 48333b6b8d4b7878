import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { userRegisteredV1, type EventEnvelope } from '@platform/contracts';
import { sampleEvent } from '@platform/contracts/testing';
import { createTestDatabase, type TestDatabase } from '@platform/db-kit/testing';
import { createConsumer, enqueueEvent, listDeadLetters, toMsgHdrs, type DeadLetterDetail, type DeadLetterSummary } from '@platform/messaging';
import { createTestMessaging, waitFor, waitForConsumersIdle, type TestMessaging } from '@platform/messaging/testing';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
// The outbox and inbox exactly as every service migrates them (messaging's own test schema).
const migrationsFolder = fileURLToPath(new URL('../../../libs/messaging/test/migrations', import.meta.url));

let m: TestMessaging;
let tdb: TestDatabase;
const state = { fixed: false };
const stops: Array<() => Promise<void>> = [];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI as an operator would (`npm run events -- ...` runs exactly this), against this file's namespace. */
function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--conditions=@platform/source', '--import', 'tsx', main, ...args],
      {
        cwd: root,
        timeout: 30_000,
        env: { ...process.env, NATS_URL: 'nats://127.0.0.1:4222', EVENT_NAMESPACE: m.namespace, BILLING_DATABASE_URL: tdb.url, ...env },
      },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

const json = <T>(run: Run): T => {
  expect(run.stderr).toBe('');
  return JSON.parse(run.stdout) as T;
};

/** Inbox rows of the consumer for one event: 1 once it was applied (never more, by the primary key). */
async function inboxRows(eventId: string): Promise<number> {
  const rows = await tdb.sql<{ n: number }[]>`select count(*)::int as n from inbox where consumer = 'billing-widgets' and event_id = ${eventId}`;
  return rows[0]?.n ?? 0;
}

function publish(event: EventEnvelope) {
  return m.js.publish(m.subject(event.type), JSON.stringify(event), {
    msgID: event.id,
    headers: toMsgHdrs({ 'x-correlation-id': event.correlationId }),
  });
}

beforeAll(async () => {
  m = await createTestMessaging();
  await m.ensureStreams();
  tdb = await createTestDatabase({ prefix: 'events_cli', migrationsFolder });
  await tdb.sql`create table applied (user_id uuid primary key, times int not null)`;
  // The consumer with the bug: it throws until `state.fixed` (the fix is deployed).
  const consumer = createConsumer({
    name: 'billing-widgets',
    stream: 'users',
    contracts: [userRegisteredV1],
    handler: async (event, tx) => {
      if (!state.fixed) throw new Error('TypeError: plan is undefined');
      await tx.execute(sql`insert into applied values (${event.data.userId}, 1) on conflict (user_id) do update set times = applied.times + 1`);
    },
    db: tdb.db,
    js: m.js,
    jsm: m.jsm,
    logger: m.logger,
    namespace: m.namespace,
    maxAttempts: 2,
    backoffMs: [20],
    ackWaitMs: 2_000,
  });
  await consumer.start();
  stops.push(() => consumer.stop());
});

afterAll(async () => {
  await Promise.all(stops.map((stop) => stop()));
  await m?.cleanup();
  await tdb?.drop();
});

const times = async (userId: string) =>
  (await tdb.sql<{ times: number }[]>`select times from applied where user_id = ${userId}`)[0]?.times ?? 0;

// Each run starts a Node process through tsx (1-2 s on a busy machine).
describe('npm run events', { timeout: 180_000 }, () => {
  it('answers bad input with exit 2 and one line, touching nothing', async () => {
    // Every rule is covered in-process by args.test.ts; here the process-level behaviour.
    const cases: [string[], RegExp][] = [
      [['dlq', 'lst'], /unknown command "dlq lst"/],
      [['dlq', 'list', '--bogus'], /unknown flag --bogus/],
      [['dlq', 'show', 'abc'], /bad dead-letter id "abc"/],
      [['dlq', 'list', '--since', 'yesterday'], /bad --since "yesterday"/],
    ];
    const runs = await Promise.all(cases.map(([args]) => cli(args)));
    runs.forEach((run, i) => {
      expect(run.code, cases[i]?.[0].join(' ')).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(cases[i]?.[1] as RegExp);
      expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    });
    const badConfig = await cli(['consumers'], { EVENT_NAMESPACE: 'Not Valid' });
    expect(badConfig.code).toBe(2);
    expect(badConfig.stderr.trim()).toMatch(/^events: Invalid configuration: EVENT_NAMESPACE must be/);
    const noNats = await cli(['consumers'], { NATS_URL: 'nats://127.0.0.1:1' });
    expect(noNats.code).toBe(1);
    expect(noNats.stderr.trim()).toMatch(/^events: cannot reach NATS at nats:\/\/127\.0\.0\.1:1/);
  });

  it('bug → dead letter → fixed handler → dlq redrive: the effect happens exactly once', async () => {
    const event = sampleEvent(userRegisteredV1.type);
    await publish(event);
    await waitFor(async () => (await listDeadLetters(m.js, { namespace: m.namespace })).length === 1);

    // Reads run side by side (each is a process of its own).
    const [table, listed] = await Promise.all([cli(['dlq', 'list']), cli(['dlq', 'list', '--json', '--service', 'billing', '--since', '10m'])]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^ID\s+DEAD-LETTERED\s+SERVICE\s+CONSUMER\s+SUBJECT\s+ATTEMPTS\s+EVENT\s+REASON/);
    expect(table.stdout).toContain(event.id);
    expect(table.stdout).toContain('1 dead letter (1 billing)');
    const [letter] = json<DeadLetterSummary[]>(listed);
    expect(letter).toMatchObject({ consumer: 'billing-widgets', eventId: event.id, attempts: 2, originalSubject: userRegisteredV1.type });
    const id = letter?.id ?? '';

    const [shown, shownJson, missing] = await Promise.all([cli(['dlq', 'show', id]), cli(['dlq', 'show', id, '--json']), cli(['dlq', 'show', '987654'])]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/reason\s+handler failed after 2 attempts: TypeError: plan is undefined/);
    expect(shown.stdout).toContain(`x-correlation-id: ${event.correlationId}`);
    const detail = json<DeadLetterDetail>(shownJson);
    expect(detail.payload).toEqual(event);
    expect(missing).toMatchObject({ code: 1, stdout: '', stderr: 'events: no dead letter 987654\n' });
    expect(await times(event.data.userId)).toBe(0);

    state.fixed = true;
    const redrive = await cli(['dlq', 'redrive', id]);
    expect(redrive).toMatchObject({ code: 0, stdout: 'redriven 1, skipped 0\n' });
    await waitFor(async () => (await times(event.data.userId)) === 1);
    await waitForConsumersIdle(m.jsm, [m.streamName('USERS')]);
    expect(await times(event.data.userId)).toBe(1);
    const [emptyJson, empty, again] = await Promise.all([cli(['dlq', 'list', '--json']), cli(['dlq', 'list']), cli(['dlq', 'redrive', id, '--json'])]);
    expect(json<unknown[]>(emptyJson)).toEqual([]);
    expect(empty.stdout).toBe('no dead letters\n');
    // Redriving it again: nothing left to redrive, and it says so (exit 1).
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stdout)).toEqual({ redriven: 0, skipped: [{ id, reason: 'no such dead letter' }] });
    expect(await inboxRows(event.id)).toBe(1);
  });

  it('purges by filter and reports consumers and the outbox', async () => {
    state.fixed = false;
    const event = sampleEvent(userRegisteredV1.type);
    await publish(event);
    await waitFor(async () => (await listDeadLetters(m.js, { namespace: m.namespace })).length === 1);
    expect((await cli(['dlq', 'purge', '--all', '--subject', 'billing.>'])).stdout).toBe('purged 0\n');
    expect(await cli(['dlq', 'purge', '--all', '--subject', 'users.>'])).toMatchObject({ code: 0, stdout: 'purged 1\n' });
    await waitForConsumersIdle(m.jsm, [m.streamName('USERS')]);

    const [consumersJson, consumersText] = await Promise.all([cli(['consumers', '--json']), cli(['consumers'])]);
    const consumers = json<{ consumer: string; pending: number; ackPending: number }[]>(consumersJson);
    expect(consumers).toEqual([expect.objectContaining({ stream: 'USERS', consumer: 'billing-widgets', pending: 0, ackPending: 0 })]);
    expect(consumersText.stdout).toMatch(/^STREAM\s+CONSUMER\s+LAG\s+UNACKED\s+REDELIVERED\s+LAST ACTIVE\nUSERS\s+billing-widgets\s+0\s+0/);

    await tdb.db.transaction(async (tx) => {
      await enqueueEvent(tx, userRegisteredV1, sampleEvent(userRegisteredV1.type).data, { correlationId: 'cli-test' });
      await enqueueEvent(tx, userRegisteredV1, sampleEvent(userRegisteredV1.type).data, { correlationId: 'cli-test' });
    });
    const [billingJson, unreachable] = await Promise.all([
      cli(['outbox', 'status', '--service', 'billing', '--json']),
      cli(['outbox', 'status', '--service', 'users'], { USERS_DATABASE_URL: 'postgres://postgres@127.0.0.1:1/users' }),
    ]);
    const [billing] = json<{ service: string; backlog: number; published: number }[]>(billingJson);
    expect(billing).toMatchObject({ service: 'billing', backlog: 2, published: 0, lastPublishedAt: null });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stdout).toMatch(/^SERVICE\s+BACKLOG\s+OLDEST \(S\)\s+PUBLISHED\s+LAST PUBLISHED\s+ERROR\nusers\s+-\s+-\s+-\s+-\s+\S/);
  });
});
