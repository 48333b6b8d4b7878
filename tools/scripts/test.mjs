#!/usr/bin/env node
// `npm test`: install if needed, then, stopping at the first failing step:
//   1. nx sync:check             TypeScript project references match the dependency graph
//   2. check-boundaries.mjs      the module-boundary lint rules really reject cross-app imports
//   3. check-contract-citations.mjs   every "§N" citation names docs/contract.md and a real section
//   4. nx run-many lint typecheck test   every project (tests use the real Postgres and NATS)
// Ends with one plain line `N passed, N failed` (vitest test counts; a failed step that is not
// a test, such as lint, counts as one failure) that CI reads.
import { spawn } from 'node:child_process';
import { ensureInstalled, root } from './lib/workspace.mjs';

ensureInstalled();

const env = { ...process.env, NX_NO_CLOUD: 'true' };
if (process.env.CI) env.NX_DAEMON = 'false';
const parallel = process.env.TEST_PARALLEL ?? '2';
const totals = { passed: 0, failed: 0 };

// Vitest summaries ("Tests  3 failed | 41 passed (44)"); Nx replays them for cached tasks too.
// eslint-disable-next-line no-control-regex
const stripAnsi = (text) => text.replace(/\x1b\[[0-9;]*m/g, '');

/** Line-by-line counter; a file that fails to load has no test, so its "Test Files N failed" counts. */
function vitestCounter() {
  let failedFiles = 0;
  return (line) => {
    const plain = stripAnsi(line);
    const files = /^\s*Test Files\s+(.*)\(\d+\)\s*$/.exec(plain);
    if (files) failedFiles = Number(/(\d+) failed/.exec(files[1])?.[1] ?? 0);
    const tests = /^\s*Tests\s+(.*)\(\d+\)\s*$/.exec(plain);
    if (tests) {
      totals.passed += Number(/(\d+) passed/.exec(tests[1])?.[1] ?? 0);
      totals.failed += Number(/(\d+) failed/.exec(tests[1])?.[1] ?? 0);
    } else if (/^\s*Tests\s+no tests/.test(plain)) {
      totals.failed += failedFiles;
    }
  };
}

/** Runs a step with its output streamed through; resolves with the exit code. */
function step(title, command, args) {
  console.log(`\n▶ ${title}`);
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const relay = (stream, out) => {
      const count = vitestCounter();
      let buffer = '';
      stream.on('data', (chunk) => {
        out.write(chunk);
        buffer += chunk.toString();
        const lines = buffer.split('\n');
        buffer = lines.pop();
        lines.forEach(count);
      });
      stream.on('end', () => count(buffer));
    };
    relay(child.stdout, process.stdout);
    relay(child.stderr, process.stderr);
    child.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const steps = [
  ['nx sync:check (project references up to date)', npx, ['nx', 'sync:check']],
  ['module boundaries bite (tools/scripts/check-boundaries.mjs)', process.execPath, ['tools/scripts/check-boundaries.mjs']],
  ['contract citations point at docs/contract.md (tools/scripts/check-contract-citations.mjs)', process.execPath, ['tools/scripts/check-contract-citations.mjs']],
  [
    `lint, typecheck and test every project (parallel ${parallel})`,
    npx,
    ['nx', 'run-many', '-t', 'lint', 'typecheck', 'test', `--parallel=${parallel}`, '--outputStyle=static'],
  ],
];

const started = Date.now();
let exitCode = 0;
for (const [title, command, args] of steps) {
  const failedBefore = totals.failed;
  const code = await step(title, command, args);
  if (code !== 0) {
    exitCode = code;
    // A failed step with no failed test behind it (sync, boundaries, lint, typecheck) is one failure.
    if (totals.failed === failedBefore) totals.failed += 1;
    console.error(`\n✗ ${title}: exit ${code}`);
    break;
  }
}
console.log(`\n${exitCode === 0 ? '✓ all steps passed' : '✗ stopped at the first failing step'} in ${Math.round((Date.now() - started) / 1000)} s`);
console.log(`${totals.passed} passed, ${totals.failed} failed`);
process.exit(exitCode);
