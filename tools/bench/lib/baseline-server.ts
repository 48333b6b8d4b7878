// The in-repo baselines, one process each (started by servers.ts):
//   BASELINE_MODE=json   a bare Fastify app answering BASELINE_BODY on every GET
//   BASELINE_MODE=proxy  a bare @fastify/reply-from proxy forwarding every GET to BASELINE_UPSTREAM
// Defaults everywhere and no logger: what the platform's per-request cost is measured against.
import replyFrom from '@fastify/reply-from';
import Fastify from 'fastify';

const port = Number(process.env.PORT);
const app = Fastify({ logger: false });

if (process.env.BASELINE_MODE === 'proxy') {
  await app.register(replyFrom, { base: process.env.BASELINE_UPSTREAM });
  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/*', (request, reply) => reply.from(request.url));
} else {
  const body: unknown = JSON.parse(process.env.BASELINE_BODY ?? '{}');
  const contentType = process.env.BASELINE_CONTENT_TYPE ?? 'application/json; charset=utf-8';
  app.get('/*', (_request, reply) => reply.type(contentType).send(body));
}

await app.listen({ port, host: '127.0.0.1' });
// SIGTERM from the bench: close cleanly so a --cpu-prof profile is written.
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
