import type { StreamKey } from '@platform/contracts';
import { createDb, ensureDatabase, runMigrations, type Db } from '@platform/db-kit';
import { createHttpApp, type AuthOptions, type HttpApp, type HttpAppOptions } from '@platform/http-kit';
import { createLogger, type Logger } from '@platform/logging';
import {
  connectNats,
  createConsumer,
  createOutboxRelay,
  ensureStreams,
  type ConsumerOptions,
  type EventConsumer,
  type NatsHandle,
  type OutboxRelay,
} from '@platform/messaging';
import type { EventContract } from '@platform/contracts';
import type { Sql } from 'postgres';
import type { ServiceConfig } from './service-config.js';

/** What routes and consumers of a service are given. */
export interface ServiceContext<TSchema extends Record<string, unknown> = Record<string, unknown>> {
  config: ServiceConfig;
  logger: Logger;
  db: Db<TSchema>;
  sql: Sql;
  nats: NatsHandle;
  relay: OutboxRelay;
}

/** A consumer as a service declares it; connections and namespace are filled in. */
export type ConsumerDefinition = Omit<ConsumerOptions<EventContract>, 'db' | 'js' | 'jsm' | 'logger' | 'namespace'>;

export interface CreateServiceOptions<TSchema extends Record<string, unknown>> {
  config: ServiceConfig;
  /** Tests pass a capturing logger; by default one is created from the config. */
  logger?: Logger;
  schema: TSchema;
  migrationsFolder: string;
  /** Streams provisioned at start (default: all, so consumers may start before producers). */
  streams?: StreamKey[];
  consumers?: (ctx: ServiceContext<TSchema>) => ConsumerDefinition[];
  routes?: (app: HttpApp, ctx: ServiceContext<TSchema>) => Promise<void> | void;
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

export interface Service<TSchema extends Record<string, unknown>> {
  app: HttpApp;
  ctx: ServiceContext<TSchema>;
}

/**
 * Boots a service in dependency order: database (created if allowed, migrated), NATS and its
 * streams, the outbox relay, the consumers, then the HTTP app. Closing the app undoes it in
 * reverse: stop taking requests, drain consumers, finish the relay batch, drain NATS, close the pool.
 */
export async function createService<TSchema extends Record<string, unknown>>(
  options: CreateServiceOptions<TSchema>,
): Promise<Service<TSchema>> {
  const { config } = options;
  const logger = options.logger ?? createLogger({ service: config.service, level: config.logLevel });
  if (config.autoCreateDatabase && (await ensureDatabase(config.databaseUrl))) {
    logger.info('created the database');
  }
  const database = createDb({ url: config.databaseUrl, schema: options.schema, applicationName: config.service, logger });
  const cleanup: Array<() => Promise<void>> = [() => database.close()];
  const undo = async () => {
    for (const step of cleanup.reverse()) await step().catch((err: unknown) => logger.error({ err }, 'cleanup failed'));
  };
  try {
    await runMigrations(database.db, options.migrationsFolder);
    // The NATS callback may fire before the HTTP app exists; it closes whatever is there then.
    const started: { app?: HttpApp } = {};
    const nats = await connectNats({
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
    });
    cleanup.push(() => nats.drain());
    const namespace = config.eventNamespace || undefined;
    await ensureStreams({ jsm: nats.jsm, namespace, streams: options.streams });

    const relay = createOutboxRelay({ db: database.db, sql: database.sql, js: nats.js, logger, namespace });
    const ctx: ServiceContext<TSchema> = { config, logger, db: database.db, sql: database.sql, nats, relay };
    await relay.start();
    cleanup.push(() => relay.stop());

    const consumers: EventConsumer[] = (options.consumers?.(ctx) ?? []).map((definition) =>
      createConsumer({ ...definition, db: database.db, js: nats.js, jsm: nats.jsm, logger, namespace }),
    );
    for (const consumer of consumers) {
      await consumer.start();
      cleanup.push(() => consumer.stop());
    }

    const app = await createHttpApp({
      service: config.service,
      logger,
      bodyLimit: config.bodyLimit,
      server: config.http,
      readiness: { postgres: () => database.ping(), nats: () => nats.ping() },
      auth: { ...config.auth, isRevoked: options.isRevoked?.(ctx), ...(options.signing ? { signing: options.signing } : {}) },
      trustProxy: options.trustProxy,
      openapi: options.openapi,
    });
    started.app = app;
    app.addHook('onClose', undo);
    await options.routes?.(app, ctx);
    await app.ready();
    return { app, ctx };
  } catch (error) {
    await undo();
    throw error;
  }
}
