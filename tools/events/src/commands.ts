import { createDb } from '@platform/db-kit';
import {
  consumerStatus,
  listDeadLetters,
  outboxStatus,
  purgeDeadLetters,
  redriveDeadLetters,
  showDeadLetter,
  type NatsHandle,
} from '@platform/messaging';
import type { Command } from './args.js';
import { services, type CliConfig } from './config.js';
import { countBy, table } from './table.js';

export interface Outcome {
  /** What `--json` prints. */
  data: unknown;
  /** What a terminal shows. */
  text: string;
  exitCode: 0 | 1;
}

export interface Context {
  config: CliConfig;
  /** Connected on first use: `outbox status` needs no NATS. */
  nats(): Promise<NatsHandle>;
}

const ok = (data: unknown, text: string): Outcome => ({ data, text, exitCode: 0 });

export async function run(command: Exclude<Command, { name: 'help' }>, ctx: Context): Promise<Outcome> {
  const namespace = ctx.config.namespace;
  switch (command.name) {
    case 'dlq list': {
      const { js } = await ctx.nats();
      const letters = await listDeadLetters(js, { ...command, namespace });
      const rows = letters.map((l) => [l.id, l.deadLetteredAt.replace(/\.\d+Z$/, 'Z'), l.service, l.consumer, l.originalSubject, l.attempts, l.eventId, l.reason]);
      const more = letters.length === command.limit ? `; the first ${command.limit}, --limit for more` : '';
      const summary = `${countBy(letters, (l) => l.service, 'dead letter')}${more}`;
      return ok(letters, letters.length === 0 ? 'no dead letters' : `${table(['ID', 'DEAD-LETTERED', 'SERVICE', 'CONSUMER', 'SUBJECT', 'ATTEMPTS', 'EVENT', 'REASON'], rows)}\n\n${summary}`);
    }
    case 'dlq show': {
      const { js } = await ctx.nats();
      const d = await showDeadLetter(js, command.id, { namespace });
      const fields: [string, string][] = [
        ['subject', d.subject],
        ['original subject', d.originalSubject],
        ['service', `${d.service} (consumer ${d.consumer})`],
        ['event', d.eventId ? `${d.eventId} (${d.eventType ?? 'unknown type'})` : 'not an event envelope'],
        ['reason', d.reason],
        ['attempts', String(d.attempts)],
        ['dead-lettered at', d.deadLetteredAt],
      ];
      const width = Math.max(...fields.map(([k]) => k.length));
      const headers = Object.entries(d.headers).map(([k, v]) => `  ${k}: ${v}`);
      const payload = typeof d.payload === 'string' ? d.payload : JSON.stringify(d.payload, null, 2);
      const text = [`Dead letter ${d.id}`, ...fields.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`), '', 'Headers', ...headers, '', 'Payload', payload].join('\n');
      return ok(d, text);
    }
    case 'dlq redrive': {
      const { js } = await ctx.nats();
      const result = await redriveDeadLetters(js, { ...command, namespace });
      const skipped = result.skipped.map((s) => `  skipped ${s.id}: ${s.reason}`);
      const text = [`redriven ${result.redriven}, skipped ${result.skipped.length}`, ...skipped].join('\n');
      return { data: result, text, exitCode: result.skipped.length > 0 ? 1 : 0 };
    }
    case 'dlq purge': {
      const { js } = await ctx.nats();
      const result = await purgeDeadLetters(js, { ...command, namespace });
      const missing = command.all ? 0 : command.ids.length - result.purged;
      const text = `purged ${result.purged}${missing > 0 ? ` (${missing} not found)` : ''}`;
      return { data: result, text, exitCode: missing > 0 ? 1 : 0 };
    }
    case 'outbox status':
      return outbox(command.service ? [command.service] : [...services], ctx.config);
    case 'consumers': {
      const { jsm } = await ctx.nats();
      const list = await consumerStatus(jsm, { namespace });
      const rows = list.map((c) => [c.stream, c.consumer, c.pending, c.ackPending, c.redelivered, c.lastActiveAt]);
      const lag = list.reduce((n, c) => n + c.pending, 0);
      const text =
        list.length === 0
          ? 'no durable consumers'
          : `${table(['STREAM', 'CONSUMER', 'LAG', 'UNACKED', 'REDELIVERED', 'LAST ACTIVE'], rows)}\n\n${list.length} consumers, ${lag} messages waiting`;
      return ok(list, text);
    }
  }
}

async function outbox(wanted: (typeof services)[number][], config: CliConfig): Promise<Outcome> {
  const results = await Promise.all(
    wanted.map(async (service) => {
      const url = config.databases[service];
      if (!url) return { service, error: `no database URL (${service.toUpperCase()}_DATABASE_URL)` };
      const handle = createDb({ url, max: 1, connectTimeoutSeconds: 3, applicationName: 'events-cli' });
      try {
        return { service, ...(await outboxStatus(handle.sql)) };
      } catch (err) {
        return { service, error: (err as Error).message.split('\n')[0] ?? 'failed' };
      } finally {
        await handle.close().catch(() => undefined);
      }
    }),
  );
  const rows = results.map((r) =>
    'error' in r ? [r.service, null, null, null, null, r.error ?? null] : [r.service, r.backlog, r.oldestAgeSeconds, r.published, r.lastPublishedAt, ''],
  );
  const failed = results.filter((r) => 'error' in r).length;
  const backlog = results.reduce((n, r) => n + ('backlog' in r ? r.backlog : 0), 0);
  const text = `${table(['SERVICE', 'BACKLOG', 'OLDEST (S)', 'PUBLISHED', 'LAST PUBLISHED', 'ERROR'], rows, 80)}\n\n${backlog} unpublished${failed ? `, ${failed} unreadable` : ''}`;
  return { data: results, text, exitCode: failed > 0 ? 1 : 0 };
}
