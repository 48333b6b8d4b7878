// `npm run chaos -- cluster`: the platform on a 3-node nats-server cluster of its own (spare
// ports, temp stores) with R3 streams (EVENT_STREAM_REPLICAS=3), a Postgres of its own, and the
// chaos clients registering, reading and paying throughout. The node leading the USERS stream is
// SIGKILLed (a power loss of one machine), comes back on its store, and then the new leader is
// killed too. Once quiet, every effect in every database is counted, as in the main suite.
// Prints one line of figures; exits 1 if anything was lost, duplicated, dead-lettered or answered
// other than 2xx / 4xx / 503 / 504.
import { createLogger } from '@platform/logging';
import { randomBytes } from 'node:crypto';
import { connectNats, ensureStreams, namespacedStream } from '@platform/messaging';
import { startNatsCluster } from '@platform/messaging/testing';
import { startPlatform } from '../../apps/e2e/src/platform.js';
import { quiescence } from '../../apps/e2e/src/quiescence.js';
import { startSmtpSink } from '../../apps/e2e/src/smtp.js';
import { startPostgres } from './infrastructure.js';
import { createLoad } from './load.js';
import { settle } from './settle.js';

const ADMIN = { email: 'admin@example.com', password: 'Admin-Passw0rd!' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const started = Date.now();
const log = (message: string) => console.log(`[chaos:cluster ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}`);

const pg = await startPostgres();
const cluster = await startNatsCluster({ size: 3 });
const smtp = await startSmtpSink();
log(`postgres on ${pg.port}, nats cluster at ${cluster.url}, smtp at ${smtp.url}`);

// The R3 streams are created before the services start: five processes creating the same
// replicated streams and their consumers at once, on a busy 2-core machine, can outlast the
// JetStream API's 5 s timeout (a pod would just be restarted; here the run would stop).
const observer = await connectNats({ servers: cluster.url, name: 'chaos-cluster', logger: createLogger({ service: 'chaos', level: 'silent' }) });
const namespace = `chaos${randomBytes(4).toString('hex')}`;
await ensureStreams({ jsm: observer.jsm, namespace, replicas: 3 });

const platform = await startPlatform(
  {
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    LOG_LEVEL: 'warn',
    EVENT_STREAM_REPLICAS: '3',
    RATE_LIMIT_PER_CLIENT: '100000000',
    RATE_LIMIT_PER_USER: '100000000',
    NOTIFICATIONS_SMTP_URL: smtp.url,
    NOTIFICATIONS_MAIL_POLL_INTERVAL_MS: '200',
  },
  120_000,
  { postgresUrl: pg.url, natsUrl: cluster.url, namespace },
);
const quiet = quiescence(platform, observer.jsm);
const load = createLoad(platform.gatewayUrl, ADMIN, Number(process.env.CHAOS_CLIENTS ?? 3));
const usersStream = namespacedStream('USERS', platform.namespace);
const recovery: Record<string, number> = {};

/** Seconds from the kill until every service answers through the gateway again. */
async function recovered(name: string, since: number): Promise<void> {
  for (const deadline = Date.now() + 120_000; !(await load.servedAgain()); await sleep(100)) {
    if (Date.now() > deadline) throw new Error(`${name}: not served again after 120 s`);
  }
  recovery[name] = (Date.now() - since) / 1000;
  log(`${name}: served again after ${recovery[name]?.toFixed(2)} s`);
}

async function killLeader(label: string): Promise<string> {
  const leader = await cluster.leaderOf(usersStream);
  const t0 = Date.now();
  await cluster.kill(leader);
  const next = await cluster.leaderOf(usersStream, 30_000);
  log(`${label}: killed ${leader} (USERS leader), ${next} leads after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  await recovered(label, t0);
  return leader;
}

let failure: unknown;
try {
  const info = await observer.jsm.streams.info(usersStream);
  if (info.config.num_replicas !== 3) throw new Error(`USERS has ${info.config.num_replicas} replicas, not 3`);
  load.start();
  log('load running');
  await sleep(10_000);
  const first = await killLeader('kill-leader');
  await sleep(10_000);
  await cluster.restart(first);
  log(`${first} back on its store`);
  await sleep(10_000);
  const second = await killLeader('kill-new-leader');
  await sleep(10_000);
  await cluster.restart(second);
  log(`${second} back on its store`);
  await sleep(10_000);
} catch (error) {
  failure = error;
}
let line: string;
let bad: boolean;
try {
  const settled = await settle({ label: 'chaos:cluster', failure, load, quiet, observer, namespace, smtp, adminEmail: ADMIN.email, log });
  const recoveries = Object.entries(recovery).map(([k, v]) => `${k}=${v.toFixed(1)}`).join(' ');
  line = `${settled.figures} | recovery s: ${recoveries} | ${Math.round((Date.now() - started) / 1000)} s`;
  bad = settled.bad;
} catch (error) {
  line = `chaos:cluster: FAILED ${error instanceof Error ? error.message : String(error)}`;
  bad = true;
}
await platform.stop();
await quiet.close();
await observer.close();
await cluster.stop();
await pg.destroy();
await smtp.close();
console.log(line);
process.exit(bad ? 1 : 0);
