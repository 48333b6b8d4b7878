import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { deferred } from './testing/deferred.js';
import { withDeadline } from './with-deadline.js';

describe('withDeadline', () => {
  // Fake timeouts: which side wins is decided by the test, not by how busy the machine is
  // (setImmediate stays real: the unhandled-rejection check below waits for one).
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }));
  afterEach(() => vi.useRealTimers());

  it('settles as the work does when it finishes first, and clears its timer', async () => {
    const onExpiry = vi.fn(() => 'late');
    const work = deferred<string>();
    const raced = withDeadline(work.promise, 1_000, onExpiry);
    expect(vi.getTimerCount()).toBe(1);
    work.resolve('done');
    await expect(raced).resolves.toBe('done');
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(onExpiry).not.toHaveBeenCalled();
  });

  it('rejects with the work error when it fails first, and clears its timer', async () => {
    const failure = new Error('boom');
    const raced = withDeadline(Promise.reject(failure), 1_000, () => false);
    await expect(raced).rejects.toBe(failure);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('past the deadline resolves with what onExpiry returns, once, while the work goes on', async () => {
    const onExpiry = vi.fn(() => false as const);
    const work = deferred<boolean>();
    const raced = withDeadline(work.promise, 1_000, onExpiry);
    await vi.advanceTimersByTimeAsync(999);
    expect(onExpiry).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    await expect(raced).resolves.toBe(false);
    expect(onExpiry).toHaveBeenCalledTimes(1);
    work.resolve(true); // too late: changes nothing
    await expect(raced).resolves.toBe(false);
  });

  it('past the deadline rejects with what onExpiry throws; a later failure of the work is not unhandled', async () => {
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', record);
    try {
      const work = deferred<void>();
      const raced = withDeadline(work.promise, 50, () => {
        throw new RangeError('took longer than 50 ms');
      });
      const settled = expect(raced).rejects.toThrow(new RangeError('took longer than 50 ms'));
      await vi.advanceTimersByTimeAsync(50);
      await settled;
      work.reject(new Error('failed after the deadline'));
      // Node reports unhandled rejections once the microtask queue drains, before the next macrotask.
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', record);
    }
  });
});
