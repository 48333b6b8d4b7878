import type { FastifyReply } from 'fastify';
import * as z from 'zod';
import { SUCCESS_CODE } from './errors/codes.js';
import { pageMeta, pageMetaSchema, type PageMeta } from './pagination.js';

/**
 * Route response schemas. Use `z.object` (not `strictObject`) for response data: serialization
 * strips fields the schema does not name, which is what keeps hashes and internals out.
 */
export function envelope<T extends z.ZodType>(data: T) {
  return z.object({
    code: z.literal(SUCCESS_CODE),
    message: z.string(),
    module: z.string(),
    data,
    requestId: z.string(),
  });
}

export function pagedEnvelope<T extends z.ZodType>(item: T) {
  return z.object({
    code: z.literal(SUCCESS_CODE),
    message: z.string(),
    module: z.string(),
    data: z.array(item),
    meta: pageMetaSchema,
    requestId: z.string(),
  });
}

export const issueSchema = z.object({ path: z.string(), message: z.string() });

export const errorEnvelope = z.object({
  code: z.string(),
  message: z.string(),
  module: z.string(),
  data: z.object({ issues: z.array(issueSchema) }).nullable(),
  requestId: z.string(),
});

export type ErrorEnvelope = z.infer<typeof errorEnvelope>;

export interface SuccessEnvelope<T> {
  code: typeof SUCCESS_CODE;
  message: string;
  module: string;
  data: T;
  requestId: string;
}

export interface PagedEnvelope<T> extends SuccessEnvelope<T[]> {
  meta: PageMeta;
}

/**
 * Documents the error answers a route can give, for OpenAPI; e.g.
 * `response: { 200: envelope(User), ...errorResponses(401, 404) }`.
 */
export function errorResponses<S extends number>(...statuses: S[]): Record<S, typeof errorEnvelope> {
  return Object.fromEntries(statuses.map((status) => [status, errorEnvelope])) as Record<S, typeof errorEnvelope>;
}

function moduleOf(reply: FastifyReply): string {
  return reply.server.serviceName;
}

/** 200 envelope; handlers `return ok(reply, data)` so Fastify checks it against the schema. */
export function ok<T>(reply: FastifyReply, data: T, message = 'OK'): SuccessEnvelope<T> {
  return { code: SUCCESS_CODE, message, module: moduleOf(reply), data, requestId: reply.request.id };
}

export function created<T>(reply: FastifyReply, data: T, message = 'Created'): SuccessEnvelope<T> {
  reply.code(201);
  return ok(reply, data, message);
}

/** A list answer from a repository page (`findPage` in db-kit) and the validated query. */
export function page<T>(
  reply: FastifyReply,
  { items, total }: { items: T[]; total: number },
  { page, pageSize }: { page: number; pageSize: number },
  message = 'OK',
): PagedEnvelope<T> {
  return { ...ok(reply, items, message), meta: pageMeta(total, page, pageSize) };
}
