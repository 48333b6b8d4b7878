#!/usr/bin/env node
// `npm start`: install if needed, check Postgres and NATS, make the JWT keys once, build the
// console's web app when its sources changed, run the five apps and the operator console from
// source, wait until each answers /ready, print where they are, stop them on Ctrl-C.
// Built-ins only (it runs before `npm ci`); the apps create and migrate their own databases.
import { spawn, spawnSync } from 'node:child_process';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, isAbsolute, join } from 'node:path';
import { createInterface } from 'node:readline';
import { ensureInstalled, root, workspaceEnv } from './lib/workspace.mjs';

const apps = [
  { name: 'gateway', port: 3000 },
  { name: 'users', port: 3001 },
  { name: 'billing', port: 3002 },
  { name: 'notifications', port: 3003 },
  { name: 'analytics', port: 3004 },
  { name: 'console', port: 3005 },
];
const readyTimeoutMs = Number(process.env.START_READY_TIMEOUT_MS ?? 60_000);
const stopTimeoutMs = 15_000;
const keepLines = 30;

// ---------------------------------------------------------------------------------------------
// Infrastructure checks

function tcpReachable(host, port, timeoutMs = 2000) {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function hostPort(url, defaultPort) {
  try {
    const parsed = new URL(url);
    return { host: parsed.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1', port: Number(parsed.port || defaultPort) };
  } catch {
    return undefined;
  }
}

/** Every distinct Postgres and NATS endpoint the apps are configured to use. */
function infrastructureTargets(env) {
  const pgUrls = Object.entries(env)
    .filter(([key, value]) => /(^|_)DATABASE_URL$/.test(key) && value)
    .map(([key, value]) => ({ key, ...hostPort(value, 5432) }));
  const natsUrl = (env.NATS_URL || 'nats://127.0.0.1:4222').split(',')[0].trim();
  const nats = hostPort(natsUrl.includes('://') ? natsUrl : `nats://${natsUrl}`, 4222);
  const unique = (list) => [...new Map(list.filter((t) => t.host).map((t) => [`${t.host}:${t.port}`, t])).values()];
  return {
    postgres: unique(pgUrls.length ? pgUrls : [{ key: 'default', host: '127.0.0.1', port: 5432 }]),
    nats: unique([{ key: 'NATS_URL', ...(nats ?? { host: '127.0.0.1', port: 4222 }) }]),
  };
}

async function checkInfrastructure(env) {
  const targets = infrastructureTargets(env);
  const problems = [];
  for (const t of targets.postgres) {
    if (!(await tcpReachable(t.host, t.port))) problems.push({ what: 'PostgreSQL', where: `${t.host}:${t.port} (from ${t.key})` });
  }
  for (const t of targets.nats) {
    if (!(await tcpReachable(t.host, t.port))) problems.push({ what: 'NATS', where: `${t.host}:${t.port} (from ${t.key})` });
  }
  if (!problems.length) return;
  for (const p of problems) console.error(`✗ ${p.what} is not reachable at ${p.where}`);
  console.error(`
Start the missing infrastructure, then run \`npm start\` again:
  with Docker:   docker compose up -d postgres nats
  or locally:    PostgreSQL: pg_ctlcluster 15 main start   (or: systemctl start postgresql)
                 NATS:       nats-server -js
Connection settings come from the environment, .env or .env.example (*_DATABASE_URL, NATS_URL).`);
  process.exit(1);
}

// ---------------------------------------------------------------------------------------------
// JWT keys: one Ed25519 pair per clone, never committed (.keys is git-ignored)

function ensureKeys(env) {
  const resolvePath = (file) => (isAbsolute(file) ? file : join(root, file));
  const privateFile = resolvePath(env.JWT_PRIVATE_KEY_FILE || '.keys/jwt-private.pem');
  const publicFile = resolvePath(env.JWT_PUBLIC_KEY_FILE || '.keys/jwt-public.pem');
  if (existsSync(privateFile) && existsSync(publicFile)) return;
  for (const file of [privateFile, publicFile]) mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  if (existsSync(privateFile)) {
    // Never replace a key that may already have signed tokens: derive the missing public half.
    const publicKey = createPublicKey(readFileSync(privateFile)).export({ type: 'spki', format: 'pem' });
    writeFileSync(publicFile, publicKey, { mode: 0o644 });
    console.log(`Derived ${publicFile} from ${privateFile}`);
    return;
  }
  const { privateKey, publicKey } = generateKeyPairSync('ed25519', {
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  writeFileSync(privateFile, privateKey, { mode: 0o600 });
  chmodSync(privateFile, 0o600);
  writeFileSync(publicFile, publicKey, { mode: 0o644 });
  console.log(`Generated an Ed25519 JWT key pair: ${privateFile} (0600), ${publicFile}`);
}

// ---------------------------------------------------------------------------------------------
// The console's single-page app (apps/console/web → dist/apps/console/public), rebuilt only when
// a source is newer than the last build (a few seconds with Vite).

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function ensureConsoleSite() {
  const web = join(root, 'apps', 'console', 'web');
  const built = join(root, 'dist', 'apps', 'console', 'public', 'index.html');
  if (existsSync(built) && statSync(built).mtimeMs >= newestMtime(web)) return;
  console.log('Building the console web app (vite build)...');
  const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  const result = spawnSync(process.execPath, [vite, 'build', '--config', join(web, 'vite.config.ts')], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('✗ The console web app did not build (see above); fix it or run `npx nx build-web console`.');
    process.exit(1);
  }
}

// ---------------------------------------------------------------------------------------------
// Processes

const colors = ['36', '35', '33', '32', '34', '31'];
const isTTY = process.stdout.isTTY === true;

/** pino-pretty for humans on a terminal, the JSON lines as-is otherwise (log shippers, CI). */
async function lineFormatter() {
  if (!isTTY) return (line) => line;
  try {
    const { prettyFactory } = await import('pino-pretty');
    const pretty = prettyFactory({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' });
    return (line) => (line.startsWith('{') ? pretty(line).trimEnd() : line);
  } catch {
    return (line) => line;
  }
}

function startApp(app, index, format) {
  const width = Math.max(...apps.map((a) => a.name.length));
  const label = app.name.padEnd(width);
  const prefix = isTTY ? `\x1b[${colors[index % colors.length]}m${label}\x1b[0m │ ` : `${label} | `;
  const child = spawn(process.execPath, ['--conditions=@platform/source', '--import', 'tsx', 'src/main.ts'], {
    cwd: join(root, 'apps', app.name),
    // PORT is what the app listens on; <APP>_PORT still wins inside the app (serviceEnv).
    env: { ...process.env, PORT: String(app.port) },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Own process group: Ctrl-C reaches only this script, which sends each app one SIGTERM.
    detached: true,
  });
  const state = { ...app, child, lines: [], exited: false, code: null, signal: null, exitedPromise: undefined };
  const collect = (stream, out) =>
    createInterface({ input: stream }).on('line', (line) => {
      state.lines.push(line);
      if (state.lines.length > keepLines) state.lines.shift();
      out.write(`${prefix}${format(line).split('\n').join(`\n${prefix}`)}\n`);
    });
  collect(child.stdout, process.stdout);
  collect(child.stderr, process.stderr);
  state.exitedPromise = new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      Object.assign(state, { exited: true, code, signal });
      resolve(state);
    }),
  );
  return state;
}

function appPort(app, env) {
  return Number(env[`${app.name.toUpperCase()}_PORT`] || app.port);
}

function appUrl(app, env) {
  const host = env[`${app.name.toUpperCase()}_HOST`] || env.HOST || '127.0.0.1';
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${app.port}`;
}

async function isReady(url) {
  try {
    const res = await fetch(`${url}/ready`, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.ok ? 'ready' : `not ready (${res.status})`;
  } catch {
    return 'not answering';
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves with every app's readiness, or rejects with the app that died while starting. */
async function waitUntilReady(states) {
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    const dead = states.find((s) => s.exited);
    if (dead) throw Object.assign(new Error(`${dead.name} exited while starting`), { state: dead });
    const readiness = await Promise.all(states.map((s) => isReady(s.url)));
    if (readiness.every((r) => r === 'ready') || Date.now() > deadline) return readiness;
    await sleep(500);
  }
}

function printTable(states, readiness) {
  const rows = [['service', 'url', 'readiness'], ...states.map((s, i) => [s.name, s.url, readiness[i]])];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r) => r.map((cell, c) => cell.padEnd(widths[c])).join('   ');
  console.log(`\n${line(rows[0])}\n${widths.map((w) => '─'.repeat(w)).join('   ')}`);
  for (const r of rows.slice(1)) console.log(line(r));
  console.log('');
}

function printLastLines(state) {
  console.error(`\n── last lines of ${state.name} (exit ${state.code ?? state.signal ?? 'running'}) ──`);
  for (const line of state.lines) console.error(`  ${line}`);
}

let stopping;
/** SIGTERM to every app still running, wait for all of them, SIGKILL whatever outlives the grace period. */
function stopAll(states, exitCode) {
  stopping ??= (async () => {
    for (const s of states) if (!s.exited) s.child.kill('SIGTERM');
    const all = Promise.all(states.map((s) => s.exitedPromise));
    const timedOut = await Promise.race([all.then(() => false), sleep(stopTimeoutMs).then(() => true)]);
    if (timedOut) {
      for (const s of states.filter((st) => !st.exited)) {
        console.error(`${s.name} did not stop within ${stopTimeoutMs / 1000} s: killing it`);
        s.child.kill('SIGKILL');
      }
      await all;
      exitCode ||= 1;
    }
    process.exit(exitCode);
  })();
  return stopping;
}

// ---------------------------------------------------------------------------------------------

ensureInstalled();
const env = workspaceEnv();
await checkInfrastructure(env);
ensureKeys(env);
ensureConsoleSite();

const format = await lineFormatter();
const states = apps.map((app, i) => {
  const resolved = { ...app, port: appPort(app, env) };
  return startApp({ ...resolved, url: appUrl(resolved, env) }, i, format);
});

let started = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (stopping) {
      for (const s of states) if (!s.exited) s.child.kill('SIGKILL');
      return;
    }
    console.log(`\n${signal}: stopping ${states.filter((s) => !s.exited).length} apps...`);
    void stopAll(states, 0);
  });
}
for (const s of states) {
  s.exitedPromise.then(() => {
    if (stopping) return;
    console.error(`\n${s.name} exited (${s.code ?? s.signal}) ${started ? 'while running' : 'while starting'}`);
    printLastLines(s);
    void stopAll(states, 1);
  });
}

try {
  const readiness = await waitUntilReady(states);
  if (stopping) await stopping;
  printTable(states, readiness);
  if (!readiness.every((r) => r === 'ready')) {
    console.error(`Not every app was ready within ${readyTimeoutMs / 1000} s.`);
    states.filter((_, i) => readiness[i] !== 'ready').forEach(printLastLines);
    await stopAll(states, 1);
  }
  started = true;
  const consoleState = states.find((s) => s.name === 'console');
  console.log(`All ${states.length} apps are ready. Gateway: ${states[0].url}   Console: ${consoleState.url}/console/ (admin login)   Ctrl-C stops them.`);
} catch (error) {
  if (!error.state) throw error;
  await stopping;
}
