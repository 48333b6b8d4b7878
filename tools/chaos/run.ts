// `npm run chaos`: the platform under faults, on a Postgres and a NATS of its own (spare ports,
// temp dirs; the shared 5432 / 4222 are never touched). Clients keep registering, reading and
// paying through the gateway while, in turn: three consumers are SIGKILLed and restarted, NATS is
// SIGKILLed and restarted on its store, Postgres is restarted (`pg_ctl restart -m immediate`), the
// consumers' databases are away for CHAOS_OUTAGE_SECONDS (default 90) while events keep coming,
// a relay is crashed (users SIGKILLed mid-write), billing gets SIGTERM under load, and SMTP
// refuses mail for a while. Then, once the platform is quiet, every effect in every database is
// counted. Prints one line of figures; exits 1 if anything was lost, duplicated, dead-lettered or
// answered other than 2xx / 4xx / 503 / 504.
import { createLogger } from '@platform/logging';
import { connectNats } from '@platform/messaging';
import { createTcpProxy, type TcpProxy } from '@platform/resilience/testing';
import { startPlatform, type AppName } from '../../apps/e2e/src/platform.js';
import { quiescence } from '../../apps/e2e/src/quiescence.js';
import { startSmtpSink } from '../../apps/e2e/src/smtp.js';
import { startNats, startPostgres } from './infrastructure.js';
import { createLoad } from './load.js';
import { settle } from './settle.js';

// `npm run chaos -- cluster`: the clustered-broker scenario instead (it exits when done).
if (process.argv.slice(2).includes('cluster')) await import('./cluster.js');
import { noEmailInFlight } from './smtp-guard.js';

const ADMIN = { email: 'admin@example.com', password: 'Admin-Passw0rd!' };
const outageSec = Number(process.env.CHAOS_OUTAGE_SECONDS ?? 90);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const started = Date.now();
const log = (message: string) => console.log(`[chaos ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s ${new Date().toISOString().slice(11, 23)}] ${message}`);

const pg = await startPostgres();
const nats = await startNats();
const smtp = await startSmtpSink();
// The consumers' databases sit behind proxies, so they can be taken away while producers keep going.
const proxies: Partial<Record<AppName, TcpProxy>> = {
  notifications: await createTcpProxy('127.0.0.1', pg.port),
  analytics: await createTcpProxy('127.0.0.1', pg.port),
};
log(`postgres on ${pg.port}, nats at ${nats.url}, smtp at ${smtp.url}`);

const platform = await startPlatform(
  {
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_CLIENT: '100000000',
    RATE_LIMIT_PER_USER: '100000000',
    NOTIFICATIONS_SMTP_URL: smtp.url,
    NOTIFICATIONS_MAIL_POLL_INTERVAL_MS: '200',
    // Patient enough for the SMTP outage below (attempts 1 s, 2 s, 4 s, 4 s...).
    NOTIFICATIONS_MAIL_RETRY_BASE_MS: '1000',
    NOTIFICATIONS_MAIL_RETRY_MAX_MS: '4000',
    NOTIFICATIONS_MAIL_MAX_ATTEMPTS: '20',
  },
  120_000,
  { postgresUrl: pg.url, natsUrl: nats.url, databaseUrlFor: (service, url) => proxies[service]?.url(url) ?? url },
);
const observer = await connectNats({ servers: nats.url, name: 'chaos', logger: createLogger({ service: 'chaos', level: 'silent' }) });
const quiet = quiescence(platform, observer.jsm);
const load = createLoad(platform.gatewayUrl, ADMIN, Number(process.env.CHAOS_CLIENTS ?? 3));
const recovery: Record<string, number> = {};
let sigterm = { code: null as number | null, ms: 0 };

/** Seconds from `since` (the fault over) until every service answers through the gateway again. */
async function recovered(name: string, since = Date.now()): Promise<void> {
  const deadline = Date.now() + 120_000;
  let lastFailing = '';
  for (;;) {
    const failing: string[] = [];
    if (await load.servedAgain(failing)) break;
    if (failing.join() !== lastFailing) log(`  ${name}: still failing ${(lastFailing = failing.join(', '))}`);
    if (Date.now() > deadline) throw new Error(`${name}: not served again after 120 s`);
    await sleep(100);
  }
  recovery[name] = (Date.now() - since) / 1000;
  log(`${name}: served again after ${recovery[name]?.toFixed(2)} s`);
}

async function crash(app: AppName, signal: NodeJS.Signals): Promise<void> {
  if (app === 'notifications' && signal === 'SIGKILL') await noEmailInFlight(smtp, quiet);
  const t0 = Date.now();
  const code = await platform.kill(app, signal);
  smtp.mode = 'accept';
  if (signal === 'SIGTERM') sigterm = { code, ms: Date.now() - t0 };
  await platform.restart(app);
  log(`${app} ${signal} → exit ${code ?? signal}, restarted in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  await recovered(`${signal === 'SIGKILL' ? 'kill' : 'sigterm'} ${app}`);
}

let failure: unknown;
try {
  load.start();
  log('load running');
  await sleep(10_000);
  for (const app of ['notifications', 'billing', 'analytics'] as const) {
    await crash(app, 'SIGKILL');
    await sleep(5_000);
  }
  log('NATS: SIGKILL, 2 s down, restart on its store');
  await nats.crashAndRestart(2_000);
  await recovered('broker restart');
  await sleep(5_000);
  log('Postgres: pg_ctl restart -m immediate');
  await pg.restart();
  await recovered('db restart');
  await sleep(5_000);
  log(`notifications + analytics databases away for ${outageSec} s while events keep coming`);
  for (const proxy of Object.values(proxies)) proxy.cut();
  await sleep(outageSec * 1_000);
  for (const proxy of Object.values(proxies)) proxy.restore();
  await recovered('db outage');
  await sleep(5_000);
  log('relay crash: users SIGKILLed mid-write');
  await crash('users', 'SIGKILL');
  await sleep(5_000);
  log('SIGTERM under load: billing');
  await crash('billing', 'SIGTERM');
  await sleep(5_000);
  log('SMTP refuses mail (451) for 8 s');
  smtp.mode = 'reject';
  await sleep(8_000);
  smtp.mode = 'accept';
  await sleep(5_000);
} catch (error) {
  failure = error;
}
let line: string;
let bad: boolean;
try {
  const settled = await settle({ label: 'chaos', failure, load, quiet, observer, namespace: platform.namespace, smtp, adminEmail: ADMIN.email, log });
  const slowest = Math.max(...Object.values(recovery));
  line = [
    settled.figures,
    `| recovery s: ${Object.entries(recovery).map(([k, v]) => `${k.replace(' ', '-')}=${v.toFixed(1)}`).join(' ')} max=${slowest.toFixed(1)}`,
    `| sigterm exit ${sigterm.code} in ${(sigterm.ms / 1000).toFixed(1)} s | outage ${outageSec} s | ${Math.round((Date.now() - started) / 1000)} s`,
  ].join(' ');
  bad = settled.bad || sigterm.code !== 0;
} catch (error) {
  line = `chaos: FAILED ${error instanceof Error ? error.message : String(error)}`;
  bad = true;
}
await platform.stop();
await quiet.close();
await observer.close();
for (const proxy of Object.values(proxies)) await proxy.close();
await nats.destroy();
await pg.destroy();
await smtp.close();
console.log(line);
process.exit(bad ? 1 : 0);
