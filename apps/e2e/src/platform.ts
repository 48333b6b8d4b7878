import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const services = ['users', 'billing', 'notifications', 'analytics'] as const;
export const apps = ['gateway', ...services] as const;
export type AppName = (typeof apps)[number];

const root = resolve(import.meta.dirname, '../../..');

/** `order-books` → `ORDER_BOOKS`: the prefix of an app's variables (hyphens are not allowed in them). */
const envPrefix = (app: string) => app.toUpperCase().replace(/-/g, '_');

export interface RunningApp {
  name: AppName;
  url: string;
  child: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
}

export interface Platform {
  gatewayUrl: string;
  namespace: string;
  /** Each service's database, as the test reaches it directly. */
  databases: Record<(typeof services)[number], string>;
  apps: Record<AppName, RunningApp>;
  /** Sends `signal` to one process and resolves with its exit code (SIGKILL: a crash). */
  kill(app: AppName, signal?: NodeJS.Signals): Promise<number | null>;
  /** Starts a stopped process again, as before (same port, same environment), once it is ready. */
  restart(app: AppName, timeoutMs?: number): Promise<RunningApp>;
  /** SIGTERM to every process; resolves with each one's exit code. */
  stop(): Promise<Record<AppName, number | null>>;
}

/** Where the platform finds its infrastructure (default: the shared local Postgres and NATS). */
export interface PlatformInfrastructure {
  /** A Postgres server URL; each service gets its own database on it. */
  postgresUrl?: string;
  natsUrl?: string;
  /** The event namespace (default: a fresh `e2e<random>`), e.g. to create its streams first. */
  namespace?: string;
  /** What a service is given instead of its database's URL (e.g. through a TCP proxy a test can cut). */
  databaseUrlFor?: (service: (typeof services)[number], url: string) => string;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

function startApp(name: AppName, env: NodeJS.ProcessEnv, port: number): RunningApp {
  const child = spawn(process.execPath, ['--conditions=@platform/source', '--import', 'tsx', `apps/${name}/src/main.ts`], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(...chunk.toString().split('\n').filter(Boolean)));
  child.stderr?.on('data', (chunk: Buffer) => output.push(...chunk.toString().split('\n').filter(Boolean)));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  return { name, url: `http://127.0.0.1:${port}`, child, output, exited };
}

async function waitReady(app: RunningApp, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (app.child.exitCode !== null) throw new Error(`${app.name} exited early:\n${app.output.slice(-20).join('\n')}`);
    const ok = await fetch(`${app.url}/ready`, { signal: AbortSignal.timeout(1000) }).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((done) => setTimeout(done, 200));
  }
  throw new Error(`${app.name} not ready after ${timeoutMs} ms:\n${app.output.slice(-20).join('\n')}`);
}

/**
 * Starts all five processes exactly as `npm start` does (same entry points, same env
 * variables) but on free ports, fresh databases and an event namespace of their own.
 */
export async function startPlatform(extraEnv: NodeJS.ProcessEnv = {}, timeoutMs = 60_000, infra: PlatformInfrastructure = {}): Promise<Platform> {
  const id = randomBytes(4).toString('hex');
  const namespace = infra.namespace ?? `e2e${id}`;
  const keys = mkdtempSync(join(tmpdir(), 'e2e-keys-'));
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  writeFileSync(join(keys, 'public.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
  writeFileSync(join(keys, 'private.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });

  const ports = Object.fromEntries(await Promise.all(apps.map(async (app) => [app, await freePort()]))) as Record<AppName, number>;
  const server = new URL(infra.postgresUrl ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const databases = Object.fromEntries(
    services.map((s) => [s, new URL(`/e2e_${id}_${s.replace(/-/g, '_')}`, server).href]),
  ) as Platform['databases'];
  const databaseUrlFor = infra.databaseUrlFor ?? ((_service, url) => url);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'development',
    LOG_LEVEL: 'info',
    EVENT_NAMESPACE: namespace,
    NATS_URL: infra.natsUrl ?? 'nats://127.0.0.1:4222',
    JWT_PUBLIC_KEY_FILE: join(keys, 'public.pem'),
    JWT_PRIVATE_KEY_FILE: join(keys, 'private.pem'),
    ...Object.fromEntries(apps.map((app) => [`${envPrefix(app)}_PORT`, String(ports[app])])),
    ...Object.fromEntries(services.map((s) => [`${envPrefix(s)}_DATABASE_URL`, databaseUrlFor(s, databases[s])])),
    ...Object.fromEntries(services.map((s) => [`${envPrefix(s)}_URL`, `http://127.0.0.1:${ports[s]}`])),
    ...extraEnv,
  };
  const running = Object.fromEntries(apps.map((app) => [app, startApp(app, env, ports[app])])) as Record<AppName, RunningApp>;
  const stop = async () => {
    for (const app of Object.values(running)) if (app.child.exitCode === null && app.child.signalCode === null) app.child.kill('SIGTERM');
    const codes = await Promise.all(apps.map(async (app) => [app, await running[app].exited] as const));
    return Object.fromEntries(codes) as Record<AppName, number | null>;
  };
  const kill = async (app: AppName, signal: NodeJS.Signals = 'SIGTERM') => {
    running[app].child.kill(signal);
    return running[app].exited;
  };
  const restart = async (app: AppName, readyTimeoutMs = timeoutMs) => {
    running[app] = startApp(app, env, ports[app]);
    await waitReady(running[app], readyTimeoutMs);
    return running[app];
  };
  try {
    await Promise.all(apps.map((app) => waitReady(running[app], timeoutMs)));
  } catch (error) {
    await stop();
    throw error;
  }
  return { gatewayUrl: running.gateway.url, namespace, databases, apps: running, kill, restart, stop };
}
