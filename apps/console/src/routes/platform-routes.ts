import * as z from 'zod';
import { allConsumers } from '@platform/contracts';
import { envelope, errorResponses, ok, type HttpApp } from '@platform/http-kit';
import { watchedApps, type ConsoleConfig } from '../config.js';
import type { EventOperations } from '../sources/event-operations.js';
import type { MetricsSampler } from '../sources/metrics.js';
import { readinessOf } from '../sources/readiness.js';

const nullableNumber = z.number().nullable();
const appSchema = z.object({
  app: z.enum(watchedApps),
  url: z.string(),
  state: z.enum(['ready', 'not_ready', 'unreachable']),
  checks: z.record(z.string(), z.string()),
  error: z.string().nullable(),
  /** Replicas the gateway can reach (from its metrics); null when unknown. */
  replicas: nullableNumber,
});
const consumerSchema = z.object({
  consumer: z.string(),
  service: z.string().nullable(),
  pending: z.number(),
  ackPending: z.number(),
  redelivered: z.number(),
  lastActiveAt: z.string().nullable(),
});
const mapSchema = z.object({
  apps: z.array(appSchema),
  streams: z.array(z.object({ stream: z.string(), consumers: z.array(consumerSchema) })),
  natsError: z.string().nullable(),
});
const pointSchema = z.object({ at: z.string(), requestRate: nullableNumber, errorRate: nullableNumber, p95Ms: nullableNumber });
const metricsSchema = z.array(
  z.object({
    app: z.enum(watchedApps),
    available: z.boolean(),
    error: z.string().nullable(),
    now: z.object({
      requestRate: nullableNumber,
      errorRate: nullableNumber,
      p95Ms: nullableNumber,
      meanMs: nullableNumber,
      outboxBacklog: nullableNumber,
      outboxOldestAgeSeconds: nullableNumber,
      deadLetters: nullableNumber,
    }),
    series: z.array(pointSchema),
  }),
);

const serviceOfConsumer = new Map(allConsumers.map((c) => [c.name, c.service]));

/** The platform map (readiness, replicas, streams and their consumers with live lag) and the metrics. */
export function platformRoutes(app: HttpApp, deps: { config: ConsoleConfig; events: EventOperations; metrics: MetricsSampler }) {
  app.get(
    '/console/api/platform',
    { schema: { tags: ['console'], summary: 'Services, readiness, replicas, streams and consumers', response: { 200: envelope(mapSchema), ...errorResponses(401, 403) } } },
    async (_request, reply) => {
      const [apps, consumers, metrics] = await Promise.all([
        readinessOf(deps.config.apps, deps.config.fetchTimeoutMs),
        deps.events.consumerStatus().then(
          (list) => ({ list, error: null }),
          (error: unknown) => ({ list: [], error: error instanceof Error ? error.message : String(error) }),
        ),
        deps.metrics.read(),
      ]);
      const gatewayReplicas = metrics.find((m) => m.app === 'gateway')?.now.replicas ?? {};
      // The gateway is the one process that knows how many replicas of a service answer.
      const replicas = (name: string) => gatewayReplicas[name] ?? null;
      const streams = [...new Set(consumers.list.map((c) => c.stream))].map((stream) => ({
        stream,
        consumers: consumers.list
          .filter((c) => c.stream === stream)
          .map((c) => ({ ...c, service: serviceOfConsumer.get(c.consumer) ?? null })),
      }));
      return ok(reply, { apps: apps.map((a) => ({ ...a, replicas: replicas(a.app) })), streams, natsError: consumers.error });
    },
  );

  app.get(
    '/console/api/metrics',
    { schema: { tags: ['console'], summary: 'Request rate, error rate, latency, outbox backlog per app', response: { 200: envelope(metricsSchema), ...errorResponses(401, 403) } } },
    async (_request, reply) => ok(reply, await deps.metrics.read()),
  );
}
