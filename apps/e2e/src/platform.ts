import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const services = ['users', 'billing', 'notifications', 'analytics'] as const;
export const apps = ['gateway', ...services] as const;
export type AppName = (typeof apps)[number];
/** The processes a platform may run: the five apps, and the operator console when asked for. */
export type ProcessName = AppName | 'console';

const root = resolve(import.meta.dirname, '../../..');

/** `order-books` → `ORDER_BOOKS`: the prefix of an app's variables (hyphens are not allowed in them). */
const envPrefix = (app: string) => app.toUpperCase().replace(/-/g, '_');

export interface RunningApp {
  name: ProcessName;
  url: string;
  child: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
}

export interface Platform {
  gatewayUrl: string;
  /** Every gateway replica's URL (the first is `gatewayUrl`). */
  gatewayUrls: string[];
  namespace: string;
  /** Each service's database, as the test reaches it directly. */
  databases: Record<(typeof services)[number], string>;
  /** The first replica of each app. */
  apps: Record<AppName, RunningApp>;
  /** Every replica of each app (`infra.replicas` of them). */
  replicas: Record<AppName, RunningApp[]>;
  /** Sends `signal` to one process (replica `index`) and resolves with its exit code (SIGKILL: a crash). */
  kill(app: AppName, signal?: NodeJS.Signals, index?: number): Promise<number | null>;
  /** Starts a stopped process again, as before (same port, same environment), once it is ready. */
  restart(app: AppName, timeoutMs?: number, index?: number): Promise<RunningApp>;
  /** SIGTERM to every process; resolves with each one's exit code. */
  stop(): Promise<Record<AppName, number | null>>;
  /**
   * Starts the operator console (apps/console) against this platform, with the same environment
   * and a free port, once it is ready; `stop()` stops it too. `extraEnv`: e.g. CONSOLE_STATIC_DIR.
   */
  startConsole(extraEnv?: NodeJS.ProcessEnv): Promise<RunningApp>;
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
  /** More variables for one service, given its database's real URL (e.g. DATABASE_DIRECT_URL). */
  serviceEnv?: (service: (typeof services)[number], url: string) => NodeJS.ProcessEnv;
  /** Processes per app, each on its own port (default 1); the gateways get every service replica's URL. */
  replicas?: number;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

/** The port on loopback accepts a TCP connection. */
export function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * From source through tsx, as `npm start` runs it; `E2E_SERVERS=dist`: the five apps from their
 * built bundles (`npx nx run-many -t build` first) as the container image runs them, so every
 * flow also proves the bundles. The console always runs from source.
 */
function entryArgs(name: ProcessName): string[] {
  if (process.env.E2E_SERVERS === 'dist' && name !== 'console') return [`dist/apps/${name}/main.js`];
  return ['--conditions=@platform/source', '--import', 'tsx', `apps/${name}/src/main.ts`];
}

function startApp(name: ProcessName, env: NodeJS.ProcessEnv, port: number): RunningApp {
  const child = spawn(process.execPath, entryArgs(name), {
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
    // The gateway's /ready waits up to 2 s for the services' own: give it longer than that.
    const ok = await fetch(`${app.url}/ready`, { signal: AbortSignal.timeout(3000) }).then((r) => r.ok, () => false);
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

  const count = infra.replicas ?? 1;
  const portList = Object.fromEntries(
    await Promise.all(apps.map(async (app) => [app, await Promise.all(Array.from({ length: count }, () => freePort()))])),
  ) as Record<AppName, number[]>;
  const ports = Object.fromEntries(apps.map((app) => [app, portList[app][0]])) as Record<AppName, number>;
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
    ...Object.fromEntries(services.map((s) => [`${envPrefix(s)}_URL`, portList[s].map((port) => `http://127.0.0.1:${port}`).join(',')])),
    ...Object.fromEntries(services.flatMap((s) => Object.entries(infra.serviceEnv?.(s, databases[s]) ?? {}).map(([key, value]) => [`${envPrefix(s)}_${key}`, value]))),
    GATEWAY_URL: `http://127.0.0.1:${portList.gateway[0]}`,
    ...extraEnv,
  };
  const launch = (app: AppName, index: number) => startApp(app, { ...env, [`${envPrefix(app)}_PORT`]: String(portList[app][index]) }, portList[app][index] as number);
  const replicas = Object.fromEntries(apps.map((app) => [app, portList[app].map((_, i) => launch(app, i))])) as Record<AppName, RunningApp[]>;
  // The first replica of each app, live: a restart replaces it here too.
  const running = Object.defineProperties(
    {},
    Object.fromEntries(apps.map((app) => [app, { enumerable: true, get: () => replicas[app][0] }])),
  ) as Record<AppName, RunningApp>;
  const everyProcess = () => Object.values(replicas).flat();
  let consoleApp: RunningApp | undefined;
  const stop = async () => {
    for (const app of [...everyProcess(), ...(consoleApp ? [consoleApp] : [])]) {
      if (app.child.exitCode === null && app.child.signalCode === null) app.child.kill('SIGTERM');
    }
    await consoleApp?.exited;
    const codes = await Promise.all(
      apps.map(async (app) => {
        const exits = await Promise.all(replicas[app].map((r) => r.exited));
        return [app, exits.find((code) => code !== 0) === undefined ? 0 : exits.find((code) => code !== 0)] as const;
      }),
    );
    return Object.fromEntries(codes) as Record<AppName, number | null>;
  };
  const startConsole = async (consoleEnv: NodeJS.ProcessEnv = {}) => {
    const port = await freePort();
    consoleApp = startApp('console', { ...env, CONSOLE_PORT: String(port), ...consoleEnv }, port);
    await waitReady(consoleApp, timeoutMs);
    return consoleApp;
  };
  const kill = async (app: AppName, signal: NodeJS.Signals = 'SIGTERM', index = 0) => {
    const target = replicas[app][index] as RunningApp;
    target.child.kill(signal);
    return target.exited;
  };
  const restart = async (app: AppName, readyTimeoutMs = timeoutMs, index = 0) => {
    const started = launch(app, index);
    replicas[app][index] = started;
    await waitReady(started, readyTimeoutMs);
    return started;
  };
  try {
    await Promise.all(everyProcess().map((app) => waitReady(app, timeoutMs)));
  } catch (error) {
    await stop();
    throw error;
  }
  const gatewayUrls = replicas.gateway.map((r) => r.url);
  return { gatewayUrl: gatewayUrls[0] as string, gatewayUrls, namespace, databases, apps: running, replicas, kill, restart, stop, startConsole };
}
