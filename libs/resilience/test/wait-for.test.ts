import { describe, expect, it } from 'vitest';
import { waitFor } from '../src/testing/index.js';

describe('waitFor', () => {
  it('returns the first truthy value, polling until then', async () => {
    let calls = 0;
    await expect(waitFor(() => (++calls >= 3 ? { calls } : undefined), { intervalMs: 1 })).resolves.toEqual({ calls: 3 });
    expect(calls).toBe(3);
  });

  it('keeps polling while the check throws, and passes once it stops', async () => {
    let calls = 0;
    const value = await waitFor(
      async () => {
        if (++calls < 3) throw new Error('not yet');
        return 'ready';
      },
      { intervalMs: 1 },
    );
    expect(value).toBe('ready');
  });

  it('fails with the last error of a check that never passes', async () => {
    await expect(
      waitFor(
        () => {
          throw new Error('still down');
        },
        { timeoutMs: 30, intervalMs: 5 },
      ),
    ).rejects.toThrow('still down');
  });

  it('fails with a timeout when the check stays falsy', async () => {
    let calls = 0;
    const never = () => {
      calls++;
      return false;
    };
    await expect(waitFor(never, { timeoutMs: 30, intervalMs: 5 })).rejects.toThrow('waitFor timed out after 30 ms');
    // Bounded, and not given up after the first try.
    expect(calls).toBeGreaterThan(1);
  });
});
