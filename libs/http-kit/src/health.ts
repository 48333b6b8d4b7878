import { withDeadline } from '@platform/resilience';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import * as z from 'zod';
import { envelope, errorEnvelope, ok } from './envelope.js';

export type ReadinessCheck = () => Promise<void>;
export type ReadinessChecks = Record<string, ReadinessCheck>;
export type CheckState = 'up' | 'down';

export const HEALTH_PATHS = new Set(['/health', '/ready']);

/** Runs every check in parallel; a check that throws or hangs past the timeout is `down`. */
export async function runReadinessChecks(
  checks: ReadinessChecks,
  timeoutMs = 2_000,
  onDown?: (name: string, error: unknown) => void,
): Promise<Record<string, CheckState>> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]): Promise<[string, CheckState]> => {
      try {
        // Called in a then(): a check that throws before returning its promise is `down` too.
        await withDeadline(Promise.resolve().then(check), timeoutMs, () => {
          throw new Error(`readiness check timed out after ${timeoutMs} ms`);
        });
        return [name, 'up'];
      } catch (error) {
        onDown?.(name, error);
        return [name, 'down'];
      }
    }),
  );
  return Object.fromEntries(entries);
}

const checksSchema = z.record(z.string(), z.enum(['up', 'down']));

export function registerHealthRoutes(app: FastifyInstance, checks: ReadinessChecks, timeoutMs = 2_000): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.get(
    '/health',
    {
      schema: { tags: ['health'], summary: 'Process is alive', response: { 200: envelope(z.object({ status: z.literal('ok') })) } },
    },
    // Synchronous: probes (and the gateway's own /health) need no promise per request.
    (_request, reply) => ok(reply, { status: 'ok' as const }),
  );
  typed.get(
    '/ready',
    {
      schema: {
        tags: ['health'],
        summary: 'Every dependency answers',
        response: {
          200: envelope(z.object({ status: z.literal('ready'), checks: checksSchema })),
          503: errorEnvelope.extend({ data: z.object({ status: z.literal('unavailable'), checks: checksSchema }) }),
        },
      },
    },
    async (request, reply) => {
      if (app.draining) {
        return reply.code(503).send({
          code: 'SERVICE_UNAVAILABLE',
          message: 'Not ready: shutting down',
          module: app.serviceName,
          data: { status: 'unavailable' as const, checks: {} },
          requestId: request.id,
        });
      }
      const states = await runReadinessChecks(checks, timeoutMs, (name, error) =>
        // A down dependency is an expected state, not a bug: one line with the reason, no stack.
        request.log.warn({ check: name, reason: error instanceof Error ? error.message : String(error) }, 'readiness check failed'),
      );
      const down = Object.entries(states).filter(([, state]) => state === 'down').map(([name]) => name);
      if (down.length === 0) return ok(reply, { status: 'ready' as const, checks: states });
      return reply.code(503).send({
        code: 'SERVICE_UNAVAILABLE',
        message: `Not ready: ${down.join(', ')} down`,
        module: app.serviceName,
        data: { status: 'unavailable' as const, checks: states },
        requestId: request.id,
      });
    },
  );
}
