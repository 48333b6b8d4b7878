// The harness's arithmetic, against processes whose CPU use we know from the inside
// (process.cpuUsage() of a child that burns a set amount, then idles until told to exit).
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { serverGroup, startCpuWindow } from './cpu-meter.js';
import { appEnvOverrides } from './app-env.js';
import { idleSeconds, idleShare } from './idle-cpu.js';
import { readCpuMicrosPrecise, readProcStat, readRssBytes } from './proc.js';
import { median, percentile, ratio } from './stats.js';

const burner = `
const burn = (ms) => { const from = process.cpuUsage(); for (;;) { const u = process.cpuUsage(from); if ((u.user + u.system) / 1000 >= ms) return; } };
process.on('message', (m) => {
  if (m.burn) { burn(m.burn); const u = process.cpuUsage(); process.send({ cpuMs: (u.user + u.system) / 1000 }); }
  if (m.exit) process.exit(0);
});
process.send({ cpuMs: 0 });`;

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

function next(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => child.once('message', (m: { cpuMs: number }) => resolve(m.cpuMs)));
}

async function startBurner(): Promise<{ child: ChildProcess; burn(ms: number): Promise<number> }> {
  const child = spawn(process.execPath, ['-e', burner], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  children.push(child);
  await next(child);
  return {
    child,
    burn: (ms) => {
      const answer = next(child);
      child.send({ burn: ms });
      return answer;
    },
  };
}

// /proc counts in clock ticks (10 ms): allow a few.
const TOLERANCE_MS = 40;

describe('CPU accounting from /proc', () => {
  it('reads what the process itself says it used', async () => {
    const p = await startBurner();
    const total = await p.burn(300);
    const stat = readProcStat(p.child.pid!)!;
    expect(Math.abs(stat.cpuMicros / 1000 - total)).toBeLessThan(TOLERANCE_MS);
    expect(readRssBytes(p.child.pid!)).toBeGreaterThan(10 * 2 ** 20);
  });

  it('counts only what an existing process uses inside the window', async () => {
    const p = await startBurner();
    const before = await p.burn(200);
    const window = await startCpuWindow([serverGroup('burner', p.child.pid!)], 50);
    const after = await p.burn(250);
    const [used] = await window.stop();
    expect(Math.abs(used!.cpuMicros / 1000 - (after - before))).toBeLessThan(TOLERANCE_MS);
    expect(used!.processes).toBe(1);
  });

  it('counts a process born inside the window from its birth, and keeps one that has gone', async () => {
    const pids: number[] = [];
    const window = await startCpuWindow([{ name: 'dynamic', pids: () => pids }], 50);
    const born = await startBurner();
    pids.push(born.child.pid!);
    const bornTotal = await born.burn(200);
    const gone = await startBurner();
    pids.push(gone.child.pid!);
    const goneTotal = await gone.burn(150);
    await new Promise((resolve) => setTimeout(resolve, 200)); // at least one sample after the burn
    const exited = new Promise((resolve) => gone.child.once('exit', resolve));
    gone.child.send({ exit: true });
    await exited;
    pids.pop();
    const [used] = await window.stop();
    expect(used!.processes).toBe(2);
    expect(Math.abs(used!.cpuMicros / 1000 - (bornTotal + goneTotal))).toBeLessThan(2 * TOLERANCE_MS);
  });

  it('counts a few ms precisely in a precise window, where ticks would round them to 0 or 10', async () => {
    const p = await startBurner();
    const before = await p.burn(50);
    const window = await startCpuWindow([serverGroup('burner', p.child.pid!)], 50, { precise: true });
    const after = await p.burn(4);
    const [used] = await window.stop();
    const burnt = after - before;
    expect(burnt).toBeGreaterThanOrEqual(4);
    // At least what it says it burnt; little more (the messages to and fro, a timer or two).
    expect(used!.cpuMicros / 1000).toBeGreaterThanOrEqual(burnt - 0.5);
    expect(used!.cpuMicros / 1000).toBeLessThan(burnt + 6);
    expect(Math.abs(readCpuMicrosPrecise(p.child.pid!)! / 1000 - readProcStat(p.child.pid!)!.cpuMicros / 1000)).toBeLessThan(TOLERANCE_MS);
  });

  it('answers nothing for a process that does not exist', () => {
    expect(readCpuMicrosPrecise(2 ** 22 + 1)).toBeUndefined();
    expect(readProcStat(2 ** 22 + 1)).toBeUndefined();
    expect(readRssBytes(2 ** 22 + 1)).toBeUndefined();
  });
});

describe('idle CPU', () => {
  it('explains idle / rate of a CPU per write', () => {
    expect(idleShare(4, 200)).toBe(0.02);
    expect(idleShare(4, 0)).toBeNaN();
  });

  it('measures for BENCH_IDLE_SEC seconds, 10 by default, none with 0', () => {
    expect(idleSeconds({})).toBe(10);
    expect(idleSeconds({ BENCH_IDLE_SEC: '0' })).toBe(0);
    expect(idleSeconds({ BENCH_IDLE_SEC: '20' })).toBe(20);
    expect(() => idleSeconds({ BENCH_IDLE_SEC: 'x' })).toThrow(/BENCH_IDLE_SEC/);
  });
});

describe('settings for the apps', () => {
  it('passes BENCH_APP_<NAME> on as <NAME>, and nothing else', () => {
    expect(appEnvOverrides({ BENCH_APP_OUTBOX_POLL_INTERVAL_MS: '250', BENCH_APP_: 'x', BENCH_ROUNDS: '1', PATH: '/bin' })).toEqual({ OUTBOX_POLL_INTERVAL_MS: '250' });
  });
});

describe('medians, percentiles and ratios', () => {
  it('takes the middle value, or the mean of the middle two', () => {
    expect(median([30, 10, 20])).toBe(20);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('uses nearest-rank percentiles', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 0.5)).toBe(50);
    expect(percentile(sorted, 0.99)).toBe(99);
    expect(percentile([7], 0.99)).toBe(7);
  });

  it('gives value / baseline', () => {
    expect(ratio(142, 28)).toBe(5.07);
    expect(ratio(3300, 16000)).toBe(0.21);
    expect(ratio(360, 28)).toBe(12.9);
  });
});
