import { describe, expect, it, vi } from 'vitest';
import { lazyChild } from './lazy-child.js';
import { captureLogs } from './testing/index.js';

describe('lazyChild', () => {
  it('makes no child for a line below the level, and one carrying the bindings for a line at it', () => {
    const logs = captureLogs('test', 'info');
    const childOf = vi.spyOn(logs.logger, 'child');
    const log = lazyChild(logs.logger, { eventId: 'e-1' });
    log.debug({ detail: 1 }, 'not written');
    expect(childOf).not.toHaveBeenCalled();
    log.info({ detail: 2 }, 'written');
    log.warn('again');
    expect(childOf).toHaveBeenCalledTimes(1);
    expect(logs.lines).toMatchObject([
      { eventId: 'e-1', detail: 2, msg: 'written', level: 'info' },
      { eventId: 'e-1', msg: 'again', level: 'warn' },
    ]);
  });

  it('behaves as the child for everything else (bindings, grandchildren, level)', () => {
    const logs = captureLogs('test', 'info');
    const log = lazyChild(logs.logger, { eventId: 'e-2' });
    expect(log.bindings()).toMatchObject({ eventId: 'e-2' });
    log.child({ step: 'x' }).info('nested');
    expect(logs.lines[0]).toMatchObject({ eventId: 'e-2', step: 'x', msg: 'nested' });
    log.level = 'debug';
    log.debug('now written');
    expect(logs.lines[1]).toMatchObject({ eventId: 'e-2', msg: 'now written' });
    expect(logs.logger.level).toBe('info');
  });
});
