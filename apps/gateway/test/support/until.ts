import { waitFor } from '@platform/resilience/testing';

/** The platform's bounded poller (every 20 ms, 10 s unless told) for a condition that yields no value. */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  await waitFor(condition, { timeoutMs, intervalMs: 20 });
}
