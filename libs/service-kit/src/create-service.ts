import type { StreamKey } from '@platform/contracts';
import { ConfigError } from '@platform/config';
import { createDb, ensureDatabase, runMigrations, type Db } from '@platform/db-kit';
import {
  createHttpApp,
  dependencyUnavailable,
  type AccessTokenPayload,
  type AuthOptions,
  type HttpApp,
  type HttpAppOptions,
  type ReadinessChecks,
  type RouteRegistrar,
} from '@platform/http-kit';
import { createLogger, type Logger } from '@platform/logging';
import { createMetrics, type Metrics } from '@platform/metrics';
import {
  connectNats,
  createConsumer,
  createOutboxRelay,
  ensureStreams,
  type ConsumerOptions,
  type EventConsumer,
  type NatsHandle,
  type OutboxRelay,
  wakeAfterCommit,
  watchOutbox,
} from '@platform/messaging';
import type { EventContract } from '@platform/contracts';
import { createDependencyMonitor, type DependencyMonitor } from '@platform/resilience';
import type { Sql } from 'postgres';
import type { ServiceConfig } from './service-config.js';
import type { ServiceWorker } from './workers.js';

/** What the service runtime provides every app: connections, logger, config. */
export interface ServiceContext<TSchema extends Record<string, unknown> = Record<string, unknown>> {
  config: ServiceConfig;
  logger: Logger;
  db: Db<TSchema>;
  sql: Sql;
  /**
   * For what needs a session of its own (a lock held across statements, LISTEN): `sql` itself,
   * or under transaction pooling a small pool straight to Postgres (DATABASE_DIRECT_URL).
   */
  sessionSql: Sql;
  nats: NatsHandle;
  relay: OutboxRelay;
  /**
   * Whether Postgres answers, shared by everything in the service: fed the faults they meet,
   * probing while it is down. Consumers, workers and the HTTP gate wait or refuse on it.
   */
  availability: { postgres: DependencyMonitor };
  /** The service's Prometheus registry (served at /metrics): routes and workers add their series to it. */
  metrics: Metrics;
  /**
   * Signs an access token (`app.jwt.sign`); only with the `signing` option (the users service),
   * callable once the HTTP app exists, i.e. from requests.
   */
  signAccessToken: (payload: AccessTokenPayload) => string;
}

/**
 * The one `deps` shape of every app: the service context plus what the app builds once from it
 * (`createService({ deps })`: repositories, a hasher, settings...). Route registrars, consumers
 * and workers are all given it.
 */
export type ServiceDeps<TSchema extends Record<string, unknown> = Record<string, unknown>, TOwn extends object = object> = ServiceContext<TSchema> & TOwn;

/** A consumer as a service declares it; connections and namespace are filled in. */
export type ConsumerDefinition = Omit<ConsumerOptions<EventContract>, 'db' | 'js' | 'jsm' | 'logger' | 'namespace' | 'availability' | 'metrics'>;

export interface CreateServiceOptions<TSchema extends Record<string, unknown>, TOwn extends object = object> {
  config: ServiceConfig;
  /** Tests pass a capturing logger; by default one is created from the config. */
  logger?: Logger;
  schema: TSchema;
  migrationsFolder: string;
  /** Streams provisioned at start (default: all, so consumers may start before producers). */
  streams?: StreamKey[];
  /** What the app builds once from the context for its routes, consumers and workers; they get `{ ...ctx, ...deps(ctx) }`. */
  deps?: (ctx: ServiceContext<TSchema>) => TOwn;
  /**
   * Per-message consumers (inbox + handler) by their definition, or consumers the app built itself
   * (messaging's batch consumers: `{ start, stop }`); started together after the relay, stopped in reverse.
   */
  consumers?: (deps: ServiceDeps<TSchema, TOwn>) => Array<ConsumerDefinition | EventConsumer>;
  /** Background loops (retention, senders...): started after the consumers, stopped before them, each a check in /ready. */
  workers?: (deps: ServiceDeps<TSchema, TOwn>) => ServiceWorker[];
  /** Route registrars (http-kit's `RouteRegistrar`, often `routeGroup(...)`), registered in order. */
  routes?: RouteRegistrar<ServiceDeps<TSchema, TOwn>> | Array<RouteRegistrar<ServiceDeps<TSchema, TOwn>>>;
  openapi?: { title: string; version: string; description?: string };
  /**
   * Valid tokens to refuse anyway (e.g. of a user this service knows is deactivated). Built from
   * the service context once the database is up, before the first request.
   */
  isRevoked?: (ctx: ServiceContext<TSchema>) => NonNullable<AuthOptions['isRevoked']>;
  /** Only for the service that issues tokens (users): enables `app.jwt.sign` with this key. */
  signing?: AuthOptions['signing'];
  /** Which proxies' `X-Forwarded-For` to believe for `request.ip` (default: none). */
  trustProxy?: HttpAppOptions['trustProxy'];
  /** Called if NATS closes for good without us closing it; by default the app closes with exit code 1. */
  onFatal?: (reason: string) => void;
}

/**
 * Fail fast while Postgres is confirmed down: an API request gets 503 at once rather than a
 * place in the pool's queue (health, readiness and the OpenAPI document still answer). It is the
 * app's `refuse` check (http-kit's one onRequest hook, not a hook of its own: one runner step a
 * request less). Every error a request meets is fed to the monitor, which is how it learns of an
 * outage first.
 */
function refusedWhileDown(postgres: DependencyMonitor): NonNullable<HttpAppOptions['refuse']> {
  return (request) => (postgres.isDown() && request.url.startsWith('/api/') ? dependencyUnavailable() : undefined);
}

function reportErrors(app: HttpApp, postgres: DependencyMonitor): void {
  app.addHook('onError', async (_request, _reply, error) => {
    postgres.report(error);
  });
}

export interface Service<TSchema extends Record<string, unknown>, TOwn extends object = object> {
  app: HttpApp;
  ctx: ServiceContext<TSchema>;
  deps: ServiceDeps<TSchema, TOwn>;
}

/**
 * Boots a service in dependency order: database (created if allowed, migrated), NATS and its
 * streams, the outbox relay, the consumers, the workers, then the HTTP app. Closing the app
 * undoes it in reverse: stop taking requests, stop the workers, drain consumers, finish the relay
 * batch, drain NATS, close the pool. While Postgres is confirmed down, API requests are refused
 * with 503 at once instead of queueing behind a pool that cannot connect.
 */
export async function createService<TSchema extends Record<string, unknown>, TOwn extends object = object>(
  options: CreateServiceOptions<TSchema, TOwn>,
): Promise<Service<TSchema, TOwn>> {
  const { config } = options;
  const logger = options.logger ?? createLogger({ service: config.service, level: config.logLevel });
  const settings = config.database ?? { poolMax: 10, transactionPooling: false };
  if (settings.transactionPooling && !settings.directUrl) {
    throw new ConfigError(['DATABASE_DIRECT_URL is required with DATABASE_TRANSACTION_POOLING=true (migrations, LISTEN and session locks bypass the pooler)']);
  }
  if (config.autoCreateDatabase && (await ensureDatabase(settings.directUrl ?? config.databaseUrl))) {
    logger.info('created the database');
  }
  const database = createDb({
    url: config.databaseUrl,
    max: settings.poolMax,
    prepare: !settings.transactionPooling,
    schema: options.schema,
    applicationName: config.service,
    logger,
  });
  // What a transaction-mode pooler cannot carry (a session: advisory locks held across
  // statements, LISTEN) goes straight to Postgres over a small pool; otherwise the pool is a session.
  const session = settings.transactionPooling
    ? createDb({ url: settings.directUrl as string, max: 2, applicationName: `${config.service}-session`, logger })
    : database;
  const postgres = createDependencyMonitor({ name: 'postgres', probe: () => database.ping(), logger });
  // One registry for the HTTP app, the relay and the consumers; the outbox gauges read this database.
  const metrics = createMetrics({ service: config.service });
  watchOutbox(metrics, database.sql);
  const cleanup: Array<() => Promise<void>> = [() => database.close(), async () => postgres.close()];
  if (session !== database) cleanup.push(() => session.close());
  const undo = async () => {
    for (const step of cleanup.reverse()) await step().catch((err: unknown) => logger.error({ err }, 'cleanup failed'));
  };
  try {
    // The NATS callback may fire before the HTTP app exists; it closes whatever is there then.
    const started: { app?: HttpApp } = {};
    const namespace = config.eventNamespace || undefined;
    // Migrations (Postgres) and NATS with its streams do not depend on each other: boot waits
    // for the slower of the two, not their sum. Both settle before going on, so a NATS
    // connection made while the migrations failed is still closed by `undo`.
    const [migrated, connected] = await Promise.allSettled([
      runMigrations(session.db, options.migrationsFolder),
      connectNats({
        servers: config.natsUrl,
        name: config.service,
        logger,
        onUnexpectedClose: () => {
          const onFatal = options.onFatal ?? (() => {
            process.exitCode = 1;
            void started.app?.close();
          });
          onFatal('NATS connection closed');
        },
      }).then(async (handle) => {
        cleanup.push(() => handle.drain());
        await ensureStreams({ jsm: handle.jsm, namespace, streams: options.streams, replicas: config.streamReplicas, logger });
        return handle;
      }),
    ]);
    if (migrated.status === 'rejected') throw migrated.reason;
    if (connected.status === 'rejected') throw connected.reason;
    const nats = connected.value;

    const relay = createOutboxRelay({
      db: database.db,
      sql: session.sql,
      js: nats.js,
      logger,
      namespace,
      availability: postgres,
      metrics,
      pollIntervalMs: config.outboxPollIntervalMs,
    });
    // Every transaction of the service's database that enqueued an event (a use case's, a worker's,
    // a consumer's inbox transaction) wakes this relay once it has committed: no NOTIFY inside it.
    wakeAfterCommit(database.db, () => relay.wake());
    const signAccessToken = (payload: AccessTokenPayload): string => {
      if (!started.app || !options.signing) throw new Error('no token signing in this service (or not started yet)');
      return started.app.jwt.sign(payload);
    };
    const ctx: ServiceContext<TSchema> = { config, logger, db: database.db, sql: database.sql, sessionSql: session.sql, nats, relay, availability: { postgres }, signAccessToken, metrics };
    const deps: ServiceDeps<TSchema, TOwn> = { ...ctx, ...(options.deps?.(ctx) ?? ({} as TOwn)) };
    await relay.start();
    cleanup.push(() => relay.stop());

    const consumers: EventConsumer[] = (options.consumers?.(deps) ?? []).map((definition) =>
      !('handler' in definition) ? definition : createConsumer({ ...definition, db: database.db, js: nats.js, jsm: nats.jsm, logger, namespace, availability: postgres, metrics }),
    );
    // Each consumer's start is a few NATS round trips (ensure the durable consumer, open the
    // pull): they are independent, so they go out together; each started one is stopped by `undo`.
    const starts = await Promise.allSettled(consumers.map((consumer) => consumer.start()));
    consumers.forEach((consumer, i) => {
      if (starts[i]?.status === 'fulfilled') cleanup.push(() => consumer.stop());
    });
    const failed = starts.find((outcome) => outcome.status === 'rejected');
    if (failed) throw failed.reason;
    const workers = options.workers?.(deps) ?? [];
    for (const worker of workers) {
      await worker.start();
      cleanup.push(() => worker.stop());
    }

    const readiness: ReadinessChecks = {
      postgres: () => database.ping().catch((err: unknown) => {
        postgres.report(err);
        throw err;
      }),
      nats: () => nats.ping(),
      ...Object.fromEntries(workers.map((worker) => [worker.name, async () => worker.check?.()])),
    };
    const app = await createHttpApp({
      service: config.service,
      logger,
      bodyLimit: config.bodyLimit,
      server: config.http,
      readiness,
      auth: { ...config.auth, isRevoked: options.isRevoked?.(ctx), ...(options.signing ? { signing: options.signing } : {}) },
      trustProxy: options.trustProxy,
      openapi: options.openapi,
      metrics,
      metricsToken: config.metrics?.token,
      refuse: refusedWhileDown(postgres),
    });
    started.app = app;
    app.addHook('onClose', undo);
    reportErrors(app, postgres);
    for (const register of [options.routes ?? []].flat()) await register(app, deps);
    await app.ready();
    return { app, ctx, deps };
  } catch (error) {
    await undo();
    throw error;
  }
}
