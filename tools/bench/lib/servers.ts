// Server processes for the benchmark: the five apps (from source through tsx, as `npm start` and
// the e2e suite run them, or from the built bundles, as the container images run them) and the
// in-repo baselines. Every server is its own OS process, so /proc tells each one's CPU apart.
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { dropDatabase } from '@platform/db-kit';
import { createLogger } from '@platform/logging';
import { connectNats } from '@platform/messaging';
import { deleteNamespaceStreams } from '@platform/messaging/testing';
import { apps, services, type AppName } from '../../../apps/e2e/src/platform.js';
import { appEnvOverrides } from './app-env.js';

export { apps, services, type AppName };
export type ServiceName = (typeof services)[number];

/** `postgres://…/bench_1a2b_users` → `bench_1a2b_users`. */
export const databaseName = (url: string): string => new URL(url).pathname.slice(1);

export const root = resolve(import.meta.dirname, '../../..');
export const profileDir = join(root, 'tmp', 'bench', 'profiles');

/** `BENCH_SERVERS=dist` runs the built bundles (dist/apps/<app>/main.js); the default runs source through tsx. */
export type ServerEntry = 'source' | 'dist';
export const serverEntry = (): ServerEntry => (process.env.BENCH_SERVERS === 'dist' ? 'dist' : 'source');

/**
 * Which processes run under `node --cpu-prof`: `BENCH_PROFILE=1` means the gateway and users,
 * otherwise a comma-separated list of apps and/or `bare`, `proxy`, `service-proxy` (the baselines).
 */
export function profiled(): Set<string> {
  const value = process.env.BENCH_PROFILE?.trim();
  if (!value || value === '0') return new Set();
  return new Set(value === '1' ? ['gateway', 'users'] : value.split(',').map((s) => s.trim()));
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

export interface NodeProcess {
  name: string;
  url: string;
  pid: number;
  child: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

export interface SpawnOptions {
  name: string;
  /** Node arguments after the profiling flags: the entry and its loader flags. */
  args: string[];
  env: NodeJS.ProcessEnv;
  port: number;
  /** Folder-name prefix of the profiles (under tmp/bench/profiles), when this process is profiled. */
  profileAs?: string;
}

export function spawnNode({ name, args, env, port, profileAs }: SpawnOptions): NodeProcess {
  // One folder per process, Node's own file names in it: a fixed --cpu-prof-name would be shared
  // by every thread (tsx's loader thread wrote over the main thread's profile).
  const dir = join(profileDir, `${profileAs}-${name}-${Date.now()}`);
  const profile = profileAs ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
  if (profileAs) mkdirSync(dir, { recursive: true });
  const child = spawn(process.execPath, [...profile, ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(...chunk.toString().split('\n').filter(Boolean));
    if (output.length > 200) output.splice(0, output.length - 200);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  return {
    name,
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    child,
    output,
    exited,
    async stop(graceMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Polls `path` until it answers 2xx; returns the milliseconds since `since`. */
export async function waitReady(server: NodeProcess, { path = '/ready', timeoutMs = 90_000, intervalMs = 20, since = performance.now() } = {}): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (server.child.exitCode !== null) throw new Error(`${server.name} exited early:\n${server.output.slice(-20).join('\n')}`);
    const ok = await fetch(`${server.url}${path}`, { signal: AbortSignal.timeout(1000) }).then(
      async (r) => (await r.arrayBuffer(), r.ok),
      () => false,
    );
    if (ok) return performance.now() - since;
    await new Promise((done) => setTimeout(done, intervalMs));
  }
  throw new Error(`${server.name} not ready after ${timeoutMs} ms:\n${server.output.slice(-20).join('\n')}`);
}

function appArgs(app: AppName, entry: ServerEntry, nodeArgs: readonly string[] = []): string[] {
  if (entry === 'source') return [...nodeArgs, '--conditions=@platform/source', '--import', 'tsx', `apps/${app}/src/main.ts`];
  const bundle = join(root, 'dist', 'apps', app, 'main.js');
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run npx nx run-many -t build first (the footprint scenario does)`);
  return [...nodeArgs, bundle]; // what the container image runs (`node main.js`)
}

export interface BenchPlatform {
  label: string;
  entry: ServerEntry;
  namespace: string;
  databases: Record<ServiceName, string>;
  apps: Partial<Record<AppName, NodeProcess>>;
  gatewayUrl: string;
  app(name: AppName): NodeProcess;
  /** Stops one app and starts it again; resolves with the milliseconds from spawn to `/ready` answering 200. */
  restart(name: AppName): Promise<number>;
  /** Stops every process, drops the databases, deletes the event streams. */
  stop(): Promise<void>;
}

export interface PlatformOptions {
  /** Names profiles and databases (`bench_<id>_<service>`). */
  label: string;
  /** Which apps to run (default: all five). */
  apps?: readonly AppName[];
  entry?: ServerEntry;
  env?: NodeJS.ProcessEnv;
  /** Node/V8 flags before the entry, e.g. `--max-semi-space-size=2` (the v8-flags scenario). */
  nodeArgs?: readonly string[];
}

/**
 * The platform as `npm start` runs it (the same entry points and variables), on free ports with
 * fresh databases and an event namespace of its own; rate limits out of the way (the load comes
 * from one client address and a few users) and logs at `warn` (a line per request would
 * measure the log pipe).
 */
export async function startBenchPlatform(options: PlatformOptions): Promise<BenchPlatform> {
  const entry = options.entry ?? serverEntry();
  const wanted = options.apps ?? apps;
  const id = randomBytes(4).toString('hex');
  const namespace = `bench${id}`;
  const scratch = mkdtempSync(join(tmpdir(), 'bench-platform-'));
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  writeFileSync(join(scratch, 'public.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
  writeFileSync(join(scratch, 'private.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  const ports = Object.fromEntries(await Promise.all(apps.map(async (app) => [app, await freePort()]))) as Record<AppName, number>;
  const databases = Object.fromEntries(services.map((s) => [s, `postgres://postgres@127.0.0.1:5432/bench_${id}_${s}`])) as Record<ServiceName, string>;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    EVENT_NAMESPACE: namespace,
    JWT_PUBLIC_KEY_FILE: join(scratch, 'public.pem'),
    JWT_PRIVATE_KEY_FILE: join(scratch, 'private.pem'),
    RATE_LIMIT_PER_CLIENT: '1000000000',
    RATE_LIMIT_PER_USER: '1000000000',
    MAIL_DEV_DIR: join(scratch, 'mail'),
    ...Object.fromEntries(apps.map((app) => [`${app.toUpperCase()}_PORT`, String(ports[app])])),
    ...Object.fromEntries(services.map((s) => [`${s.toUpperCase()}_DATABASE_URL`, databases[s]])),
    ...Object.fromEntries(services.map((s) => [`${s.toUpperCase()}_URL`, `http://127.0.0.1:${ports[s]}`])),
    ...appEnvOverrides(),
    ...options.env,
  };
  const profiles = profiled();
  const running: Partial<Record<AppName, NodeProcess>> = {};
  const spawnApp = (app: AppName) => {
    running[app] = spawnNode({ name: app, args: appArgs(app, entry, options.nodeArgs), env, port: ports[app], profileAs: profiles.has(app) ? options.label : undefined });
    return running[app];
  };
  const stopApps = () => Promise.all(Object.values(running).map((p) => p.stop()));
  const platform: BenchPlatform = {
    label: options.label,
    entry,
    namespace,
    databases,
    apps: running,
    gatewayUrl: `http://127.0.0.1:${ports.gateway}`,
    app(name) {
      const found = running[name];
      if (!found) throw new Error(`${name} is not running in this platform`);
      return found;
    },
    async restart(name) {
      await platform.app(name).stop();
      const started = performance.now();
      return waitReady(spawnApp(name), { since: started, intervalMs: 5 });
    },
    async stop() {
      await stopApps();
      await Promise.all(services.map((s) => dropDatabase(databases[s]).catch(() => undefined)));
      const nats = await connectNats({ servers: 'nats://127.0.0.1:4222', name: 'bench-cleanup', logger: createLogger({ service: 'bench', level: 'silent' }) });
      await deleteNamespaceStreams(nats.jsm, namespace);
      await nats.close();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
  for (const app of wanted) spawnApp(app);
  try {
    await Promise.all(wanted.map((app) => waitReady(running[app]!)));
  } catch (error) {
    await platform.stop();
    throw error;
  }
  return platform;
}

export interface Baselines {
  bare: NodeProcess;
  proxy: NodeProcess;
  /** The same bare proxy in front of a real service (`serviceUpstream`), when asked for. */
  serviceProxy?: NodeProcess;
  stop(): Promise<void>;
}

/**
 * The in-repo baselines: a bare Fastify app answering `body` (as an object, so Fastify serializes
 * it on every request like a real route) with `contentType`, and a bare @fastify/reply-from proxy
 * in front of it. With `serviceUpstream` (a running service's URL), a second bare proxy in front
 * of that service: the gateway's chain with only the gateway swapped for the bare proxy.
 */
export async function startBaselines(label: string, body: unknown, contentType: string, serviceUpstream?: string): Promise<Baselines> {
  const profiles = profiled();
  const script = ['--import', 'tsx', join(import.meta.dirname, 'baseline-server.ts')];
  const barePort = await freePort();
  const bare = spawnNode({
    name: 'bare',
    args: script,
    port: barePort,
    env: { PATH: process.env.PATH, BASELINE_MODE: 'json', PORT: String(barePort), BASELINE_BODY: JSON.stringify(body), BASELINE_CONTENT_TYPE: contentType },
    profileAs: profiles.has('bare') ? label : undefined,
  });
  const startProxy = async (name: string, upstream: string) => {
    const port = await freePort();
    return spawnNode({
      name,
      args: script,
      port,
      env: { PATH: process.env.PATH, BASELINE_MODE: 'proxy', PORT: String(port), BASELINE_UPSTREAM: upstream },
      profileAs: profiles.has(name) ? label : undefined,
    });
  };
  const proxy = await startProxy('proxy', bare.url);
  const serviceProxy = serviceUpstream ? await startProxy('service-proxy', serviceUpstream) : undefined;
  const all = [bare, proxy, ...(serviceProxy ? [serviceProxy] : [])];
  const stop = async () => {
    await Promise.all(all.map((p) => p.stop()));
  };
  try {
    await Promise.all(all.map((p) => waitReady(p, { path: '/health' })));
  } catch (error) {
    await stop();
    throw error;
  }
  return { bare, proxy, serviceProxy, stop };
}
