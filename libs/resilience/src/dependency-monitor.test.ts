import { describe, expect, it } from 'vitest';
import { createDependencyMonitor } from './dependency-monitor.js';
import { backoff, waitOut } from './wait-out.js';

const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

/** A dependency the test switches off and on; the probe really asks it. */
function switchable() {
  const dep = { up: true, probes: 0 };
  const probe = async () => {
    dep.probes++;
    if (!dep.up) throw refused;
  };
  return { dep, probe };
}

describe('createDependencyMonitor', () => {
  it('ignores errors that are not infrastructure faults', () => {
    const { probe } = switchable();
    const monitor = createDependencyMonitor({ name: 'db', probe });
    expect(monitor.report(new Error('duplicate key'))).toBe(false);
    expect(monitor.state).toBe('up');
  });

  it('a single reset connection is only suspect: the probe clears it at once', async () => {
    const { dep, probe } = switchable();
    const monitor = createDependencyMonitor({ name: 'db', probe });
    expect(monitor.report(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toBe(true);
    expect(monitor.state).toBe('suspect');
    expect(monitor.isDown()).toBe(false);
    expect(await monitor.whenUp()).toBe(true);
    expect(monitor.state).toBe('up');
    expect(dep.probes).toBe(1);
  });

  it('is down while the probe fails and wakes every waiter when it answers again', async () => {
    const { dep, probe } = switchable();
    const monitor = createDependencyMonitor({ name: 'db', probe, minDelayMs: 10, maxDelayMs: 20 });
    dep.up = false;
    monitor.report(refused);
    const waiters = [monitor.whenUp(), monitor.whenUp()];
    await waitUntil(() => monitor.isDown());
    await waitUntil(() => dep.probes >= 3);
    dep.up = true;
    expect(await Promise.all(waiters)).toEqual([true, true]);
    expect(monitor.state).toBe('up');
    monitor.close();
  });

  it('whenUp gives up on abort and on close', async () => {
    const { dep, probe } = switchable();
    const monitor = createDependencyMonitor({ name: 'db', probe, minDelayMs: 10 });
    dep.up = false;
    monitor.report(refused);
    const controller = new AbortController();
    const aborted = monitor.whenUp(controller.signal);
    controller.abort();
    expect(await aborted).toBe(false);
    const closing = monitor.whenUp();
    monitor.close();
    expect(await closing).toBe(false);
  });

  it('waitOut resumes after the outage with a growing pause, so an unseen fault never spins', async () => {
    const { dep, probe } = switchable();
    const monitor = createDependencyMonitor({ name: 'db', probe, minDelayMs: 10 });
    const delays = backoff({ minMs: 5, maxMs: 20 });
    expect([delays.next(), delays.next(), delays.next(), delays.next()]).toEqual([5, 10, 20, 20]);
    delays.reset();
    dep.up = false;
    monitor.report(refused);
    const resumed = waitOut(monitor, delays);
    await waitUntil(() => monitor.isDown());
    dep.up = true;
    expect(await resumed).toBe(true);
    monitor.close();
  });
});

async function waitUntil(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
