import { parseArgs } from 'node:util';
import { parseDeadLetterId } from '@platform/messaging';
import { services, type Service } from './config.js';

/** Bad input: the CLI prints the message as one line and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export type Command =
  | { name: 'help' }
  | { name: 'dlq list'; service?: Service; subject?: string; since?: Date; limit: number }
  | { name: 'dlq show'; id: string }
  | { name: 'dlq redrive' | 'dlq purge'; ids: string[]; all: boolean; service?: Service; subject?: string; since?: Date }
  | { name: 'outbox status'; service?: Service }
  | { name: 'consumers' };

export interface Invocation {
  command: Command;
  json: boolean;
}

const options = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  service: { type: 'string' },
  subject: { type: 'string' },
  since: { type: 'string' },
  limit: { type: 'string' },
  all: { type: 'boolean' },
} as const;
type Flag = keyof typeof options;

/** The flags each command takes (besides --json and --help). */
const allowed: Record<Exclude<Command['name'], 'help'>, Flag[]> = {
  'dlq list': ['service', 'subject', 'since', 'limit'],
  'dlq show': [],
  'dlq redrive': ['all', 'service', 'subject', 'since'],
  'dlq purge': ['all', 'service', 'subject', 'since'],
  'outbox status': ['service'],
  consumers: [],
};

function service(value: string | undefined): Service | undefined {
  if (value === undefined) return undefined;
  if (!(services as readonly string[]).includes(value)) throw new UsageError(`unknown service "${value}" (one of ${services.join(', ')})`);
  return value as Service;
}

function subject(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^[A-Za-z0-9_-]+(\.([A-Za-z0-9_-]+|\*))*(\.>)?$|^>$/.test(value)) {
    throw new UsageError(`bad subject "${value}" (e.g. billing.invoice.issued.v1, billing.>, users.user.*.v1)`);
  }
  return value;
}

const units: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** An ISO date/time (`2026-12-01`, `2026-12-01T10:00:00Z`) or an age (`30m`, `2h`, `7d`). */
export function parseSince(value: string | undefined, now = Date.now()): Date | undefined {
  if (value === undefined) return undefined;
  const age = /^(\d{1,6})([smhd])$/.exec(value);
  if (age) return new Date(now - Number(age[1]) * (units[age[2] ?? 's'] ?? 1_000));
  const at = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) ? Date.parse(value) : NaN;
  if (!Number.isFinite(at)) throw new UsageError(`bad --since "${value}" (an ISO date/time such as 2026-12-01T10:00:00Z, or an age such as 30m, 2h, 7d)`);
  return new Date(at);
}

function ids(values: string[]): string[] {
  for (const id of values) if (parseDeadLetterId(id) === undefined) throw new UsageError(`bad dead-letter id "${id}" (a positive integer, the ID column of dlq list)`);
  return values;
}

export function parseInvocation(argv: string[]): Invocation {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    const message = (err as Error).message;
    const flag = /Unknown option '([^']+)'/.exec(message)?.[1];
    throw new UsageError(flag ? `unknown flag ${flag} (try: npm run events -- help)` : (message.split(/\.\s/)[0] ?? 'bad arguments'));
  }
  const { values, positionals } = parsed;
  const json = values.json ?? false;
  const [group, sub, ...rest] = positionals;
  if (values.help || group === undefined || group === 'help') return { command: { name: 'help' }, json };
  const name = (group === 'consumers' ? 'consumers' : `${group} ${sub ?? ''}`.trim()) as Exclude<Command['name'], 'help'>;
  if (!Object.hasOwn(allowed, name)) throw new UsageError(`unknown command "${positionals.join(' ')}" (try: npm run events -- help)`);
  const args = group === 'consumers' ? positionals.slice(1) : rest;
  for (const flag of Object.keys(values) as Flag[]) {
    if (flag !== 'json' && !allowed[name].includes(flag)) throw new UsageError(`${name} takes no --${flag}`);
  }
  const takesIds = name === 'dlq show' || name === 'dlq redrive' || name === 'dlq purge';
  if (!takesIds && args.length > 0) throw new UsageError(`${name} takes no argument "${args[0]}"`);
  switch (name) {
    case 'dlq list': {
      const limit = values.limit === undefined ? 100 : Number(values.limit);
      if (!/^\d+$/.test(values.limit ?? '100') || limit < 1 || limit > 10_000) throw new UsageError(`bad --limit "${values.limit}" (1 to 10000)`);
      return { command: { name, service: service(values.service), subject: subject(values.subject), since: parseSince(values.since), limit }, json };
    }
    case 'dlq show':
      if (args.length !== 1) throw new UsageError('dlq show takes one dead-letter id');
      return { command: { name, id: ids(args)[0] as string }, json };
    case 'dlq redrive':
    case 'dlq purge': {
      const all = values.all ?? false;
      if (all === (args.length > 0)) throw new UsageError(`${name} takes dead-letter ids, or --all (with --subject/--service/--since to narrow it)`);
      if (!all && (values.service || values.subject || values.since)) throw new UsageError(`${name}: --service, --subject and --since narrow --all`);
      return { command: { name, ids: ids(args), all, service: service(values.service), subject: subject(values.subject), since: parseSince(values.since) }, json };
    }
    case 'outbox status':
      return { command: { name, service: service(values.service) }, json };
    case 'consumers':
      return { command: { name }, json };
  }
}

export const usage = `Usage: npm run events -- <command> [--json]

  dlq list [--service S] [--subject SUBJ] [--since 2h|ISO] [--limit N]   dead letters, oldest first
  dlq show <id>                                                          one dead letter: message, headers, reason, attempts
  dlq redrive <id...> | --all [--subject SUBJ] [--service S] [--since T]  republish to the original subject, then remove
  dlq purge <id...>   | --all [--subject SUBJ] [--service S] [--since T]  remove for good
  outbox status [--service S]                                            unpublished rows and age per service database
  consumers                                                              lag and pending per durable consumer

Services: users, billing, notifications, analytics. Subjects are contract-level (billing.>, users.user.*.v1).
Reads NATS_URL, EVENT_NAMESPACE and each service's database URL (BILLING_DATABASE_URL, ...) like the services do.
Exit 0 on success, 1 when something failed (unreachable, not found), 2 on bad input.`;
