import type { Logger } from '@platform/logging';
import { captureLogs } from '@platform/logging/testing';
import type { FastifyBaseLogger } from 'fastify';
import { describe, expect, it } from 'vitest';
import { lazyRequestLogger } from './request-logger.js';

describe('lazyRequestLogger', () => {
  it('writes the lines a pino child would, with the bindings and redaction', () => {
    const logs = captureLogs('users', 'info');
    const log = lazyRequestLogger(logs.logger as FastifyBaseLogger, { requestId: 'r-1' }, {}) as unknown as Logger;
    log.debug('below the level');
    expect(logs.lines).toHaveLength(0);
    log.warn({ body: { password: 'hunter2-secret' } }, 'odd');
    log.info('second');
    expect(logs.lines).toMatchObject([
      { level: 'warn', requestId: 'r-1', service: 'users', msg: 'odd', body: { password: '[redacted]' } },
      { level: 'info', requestId: 'r-1', msg: 'second' },
    ]);
    expect(logs.text()).not.toContain('hunter2');
    expect(log.child({ job: 'x' }).bindings()).toMatchObject({ requestId: 'r-1', job: 'x' });
  });

  it('follows a level set on it, and a route level makes the child at once', () => {
    const logs = captureLogs('users', 'warn');
    const log = lazyRequestLogger(logs.logger as FastifyBaseLogger, { requestId: 'r-2' }, {}) as unknown as Logger;
    expect(log.isLevelEnabled('info')).toBe(false);
    log.level = 'debug';
    log.debug('now written');
    expect(logs.lines).toMatchObject([{ level: 'debug', requestId: 'r-2', msg: 'now written' }]);
    expect(logs.logger.level).toBe('warn');
    const routeLevel = lazyRequestLogger(logs.logger as FastifyBaseLogger, { requestId: 'r-3' }, { level: 'info' });
    routeLevel.info('route level');
    expect(logs.lines.at(-1)).toMatchObject({ requestId: 'r-3', msg: 'route level' });
  });
});
