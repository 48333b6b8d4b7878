// `npm run chaos:scaling`: the long version of apps/e2e/test/replicas.e2e.test.ts. CHAOS_REPLICAS
// (2) replicas of every service and of the gateway, on a Postgres and a NATS of their own, the
// gateways sharing their rate limits in the local Redis (a key prefix of this run's own). Clients
// keep registering, reading and paying through the gateways (a refused connection goes to the next
// gateway, like a load balancer) while, for CHAOS_SCALING_ROUNDS (3) rounds: one replica of every
// app is SIGKILLed and restarted, then another gets SIGTERM (a scale-in) and is restarted. Once the
// platform is quiet, every effect in every database is counted (tools/chaos/effects.ts). One line
// of figures; exit 1 on anything lost, duplicated or dead-lettered, or an answer other than
// 2xx / 4xx / 503 / 504.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createLogger } from '@platform/logging';
import { connectNats } from '@platform/messaging';
import { apps, startPlatform, type AppName } from '../../apps/e2e/src/platform.js';
import { quiescence } from '../../apps/e2e/src/quiescence.js';
import { startSmtpSink } from '../../apps/e2e/src/smtp.js';
import { checkEffects } from './effects.js';
import { startNats, startPostgres } from './infrastructure.js';
import { createLoad } from './load.js';
import { noEmailInFlight } from './smtp-guard.js';

const ADMIN = { email: 'admin@example.com', password: 'Admin-Passw0rd!' };
const replicas = Math.max(2, Number(process.env.CHAOS_REPLICAS ?? 2));
const rounds = Number(process.env.CHAOS_SCALING_ROUNDS ?? 3);
const redisPrefix = `chaos:scaling:${randomUUID()}:`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const started = Date.now();
const log = (message: string) => console.log(`[scaling ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}`);

const pg = await startPostgres();
const nats = await startNats();
const smtp = await startSmtpSink();
log(`postgres on ${pg.port}, nats at ${nats.url}, ${replicas} replicas of every app`);
const platform = await startPlatform(
  {
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_CLIENT: '100000000',
    RATE_LIMIT_PER_USER: '100000000',
    GATEWAY_REDIS_URL: 'redis://127.0.0.1:6379',
    GATEWAY_RATE_LIMIT_REDIS_PREFIX: redisPrefix,
    GATEWAY_UPSTREAM_PROBE_INTERVAL_MS: '250',
    DATABASE_POOL_MAX: '5',
    NOTIFICATIONS_SMTP_URL: smtp.url,
    NOTIFICATIONS_MAIL_POLL_INTERVAL_MS: '200',
  },
  240_000,
  { postgresUrl: pg.url, natsUrl: nats.url, replicas },
);
const observer = await connectNats({ servers: nats.url, name: 'chaos-scaling', logger: createLogger({ service: 'chaos', level: 'silent' }) });
const quiet = quiescence(platform, observer.jsm);
const load = createLoad(platform.gatewayUrls, ADMIN, Number(process.env.CHAOS_CLIENTS ?? 3));
const faults: string[] = [];

async function bounce(app: AppName, index: number, signal: NodeJS.Signals): Promise<void> {
  if (app === 'notifications' && signal === 'SIGKILL') await noEmailInFlight(smtp, quiet);
  const code = await platform.kill(app, signal, index);
  smtp.mode = 'accept';
  if (signal === 'SIGTERM' && code !== 0) throw new Error(`${app}[${index}] exited ${code} on SIGTERM`);
  await sleep(2_000); // the survivors carry the load alone meanwhile
  await platform.restart(app, 120_000, index);
  faults.push(`${signal === 'SIGKILL' ? 'kill' : 'term'}:${app}[${index}]`);
  log(`${app}[${index}] ${signal} → exit ${code ?? signal}, restarted`);
}

let failure: unknown;
try {
  load.start();
  await sleep(5_000);
  for (let round = 0; round < rounds; round++) {
    for (const app of apps) await bounce(app, round % replicas, 'SIGKILL');
    await sleep(3_000);
    for (const app of apps) await bounce(app, (round + 1) % replicas, 'SIGTERM');
    await sleep(3_000);
  }
} catch (error) {
  failure = error;
}
await load.stop();
log('load stopped, waiting for the platform to be quiet');
let line: string;
let bad: boolean;
try {
  if (failure) throw failure;
  await quiet.wait(300_000);
  const effects = await checkEffects(quiet.db, observer, platform.namespace, smtp, ADMIN.email);
  const t = load.tally;
  line = [
    `chaos:scaling: replicas=${replicas} faults=${faults.length} users=${effects.users} payments=${effects.payments} effects=${effects.effects}`,
    `lost=${effects.lost} duplicated=${effects.duplicated} duplicate-emails=${effects.duplicateEmails} dead-letters=${effects.deadLetters}`,
    `| requests=${t.requests} 2xx=${t.ok2xx} 4xx=${t.client4xx} 503=${t.unavailable503} 504=${t.timeout504} other=${t.other} non-envelope=${t.bare}`,
    `| ${Math.round((Date.now() - started) / 1000)} s`,
  ].join(' ');
  for (const detail of [...effects.details, ...t.samples]) console.log(`  ${detail}`);
  // `other` counts requests cut by a gateway killed mid-request (their outcome unknown to the
  // client); effects are what must hold, and a SIGTERMed gateway must cut nothing.
  bad = effects.lost + effects.duplicated + effects.duplicateEmails + effects.deadLetters + t.bare > 0 || t.samples.some((s) => /→ 5\d\d/.test(s) && !/→ 50[34]/.test(s));
} catch (error) {
  line = `chaos:scaling: FAILED ${error instanceof Error ? error.message : String(error)}`;
  bad = true;
}
await platform.stop();
await quiet.close();
await observer.close();
await nats.destroy();
await pg.destroy();
await smtp.close();
const redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
const keys = await redis.keys(`${redisPrefix}*`).catch(() => []);
if (keys.length > 0) await redis.del(...keys);
await redis.quit();
console.log(line);
process.exit(bad ? 1 : 0);
