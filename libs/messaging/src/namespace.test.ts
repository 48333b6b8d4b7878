import { describe, expect, it } from 'vitest';
import { matches } from './consumer.js';
import { deadLetterSubject, namespacedStream, namespacedSubject, stripNamespace } from './namespace.js';

describe('namespace', () => {
  it('prefixes streams and subjects, and is a no-op without one', () => {
    expect(namespacedStream('USERS', 't1234')).toBe('T1234_USERS');
    expect(namespacedStream('USERS')).toBe('USERS');
    expect(namespacedSubject('users.user.registered.v1', 't1234')).toBe('t1234.users.user.registered.v1');
    expect(namespacedSubject('users.>', '')).toBe('users.>');
    expect(stripNamespace('t1234.users.user.registered.v1', 't1234')).toBe('users.user.registered.v1');
  });

  it('names dead-letter subjects after the consumer and the original subject', () => {
    expect(deadLetterSubject('billing-project-users', 'users.user.registered.v1')).toBe(
      'dlq.billing-project-users.users.user.registered.v1',
    );
    expect(deadLetterSubject('c', 't9.users.user.registered.v1', 't9')).toBe('t9.dlq.c.users.user.registered.v1');
  });

  it('rejects namespaces that would change subject matching', () => {
    expect(() => namespacedSubject('a', 'x.y')).toThrow();
    expect(() => namespacedStream('A', 'x>')).toThrow();
  });

  it('matches NATS wildcards', () => {
    expect(matches('users.>', 'users.user.registered.v1')).toBe(true);
    expect(matches('users.>', 'users')).toBe(false);
    expect(matches('users.*.registered.v1', 'users.user.registered.v1')).toBe(true);
    expect(matches('billing.>', 'users.user.registered.v1')).toBe(false);
    expect(matches('a.b', 'a.b.c')).toBe(false);
  });
});
