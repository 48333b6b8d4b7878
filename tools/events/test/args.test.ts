import { describe, expect, it } from 'vitest';
import { parseInvocation, parseSince, UsageError } from '../src/args.js';
import { parseCliConfig } from '../src/config.js';

const bad = (args: string[]) => () => parseInvocation(args);

describe('parseInvocation', () => {
  it('parses every command with its flags', () => {
    expect(parseInvocation([])).toEqual({ command: { name: 'help' }, json: false });
    expect(parseInvocation(['dlq', 'list', '--service', 'billing', '--subject', 'users.>', '--limit', '5', '--json'])).toEqual({
      command: { name: 'dlq list', service: 'billing', subject: 'users.>', since: undefined, limit: 5 },
      json: true,
    });
    expect(parseInvocation(['dlq', 'show', '42']).command).toEqual({ name: 'dlq show', id: '42' });
    expect(parseInvocation(['dlq', 'redrive', '3', '4']).command).toMatchObject({ name: 'dlq redrive', ids: ['3', '4'], all: false });
    expect(parseInvocation(['dlq', 'purge', '--all', '--service', 'analytics']).command).toMatchObject({ all: true, service: 'analytics' });
    expect(parseInvocation(['outbox', 'status']).command).toEqual({ name: 'outbox status', service: undefined });
    expect(parseInvocation(['consumers', '--json'])).toEqual({ command: { name: 'consumers' }, json: true });
  });

  it('rejects bad input with one clear line', () => {
    const cases: [string[], RegExp][] = [
      [['frobnicate'], /unknown command "frobnicate"/],
      [['outbox'], /unknown command "outbox"/],
      [['dlq', 'list', '-x'], /unknown flag -x/],
      [['dlq', 'redrive', '0'], /bad dead-letter id "0"/],
      [['dlq', 'show', '1', '2'], /takes one dead-letter id/],
      [['dlq', 'show'], /takes one dead-letter id/],
      [['dlq', 'list', '--since', '2026-13-45'], /bad --since/],
      [['dlq', 'list', '--limit', '0'], /bad --limit/],
      [['dlq', 'list', '--limit', 'ten'], /bad --limit/],
      [['dlq', 'list', '--service', 'gateway'], /unknown service "gateway"/],
      [['dlq', 'list', '--subject', 'a..b'], /bad subject/],
      [['dlq', 'list', 'extra'], /takes no argument "extra"/],
      [['dlq', 'redrive'], /takes dead-letter ids, or --all/],
      [['dlq', 'purge', '3', '--all'], /takes dead-letter ids, or --all/],
      [['dlq', 'redrive', '3', '--subject', 'users.>'], /narrow --all/],
      [['consumers', '--service', 'users'], /consumers takes no --service/],
      [['dlq', 'show', '1', '--all'], /dlq show takes no --all/],
    ];
    for (const [args, message] of cases) {
      expect(bad(args), args.join(' ')).toThrow(UsageError);
      expect(bad(args), args.join(' ')).toThrow(message);
    }
  });

  it('reads --since as an ISO date/time or an age', () => {
    const now = Date.parse('2026-12-01T12:00:00Z');
    expect(parseSince('2h', now)?.toISOString()).toBe('2026-12-01T10:00:00.000Z');
    expect(parseSince('7d', now)?.toISOString()).toBe('2026-11-24T12:00:00.000Z');
    expect(parseSince('2026-11-30T08:15:00Z', now)?.toISOString()).toBe('2026-11-30T08:15:00.000Z');
    expect(() => parseSince('tomorrow', now)).toThrow(UsageError);
    expect(() => parseSince('2026-02-30x', now)).toThrow(UsageError);
  });
});

describe('parseCliConfig', () => {
  it('resolves each database like the services do and validates once', () => {
    const config = parseCliConfig({
      NATS_URL: 'nats://n:4222',
      BILLING_DATABASE_URL: 'postgres://p@h/billing',
      DATABASE_URL: 'postgres://p@h/shared',
    });
    expect(config.natsUrl).toBe('nats://n:4222');
    expect(config.databases).toEqual({
      users: 'postgres://p@h/shared',
      billing: 'postgres://p@h/billing',
      notifications: 'postgres://p@h/shared',
      analytics: 'postgres://p@h/shared',
    });
    expect(() => parseCliConfig({ USERS_DATABASE_URL: 'mysql://x' })).toThrow(/^Invalid configuration: USERS_DATABASE_URL must be a postgres or postgresql URL$/);
  });
});
