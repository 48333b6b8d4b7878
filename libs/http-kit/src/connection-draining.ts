import type { FastifyInstance } from 'fastify';
import { serviceUnavailable, type AppError } from './errors/app-error.js';

/**
 * `app.close()` waits for every open socket; a keep-alive client (a proxy, the gateway) would
 * hold it open until the grace period kills the process. Once closing, each response tells its
 * client to hang up, so in-flight requests finish and their connections end with them. A request
 * that still arrives (on a kept-alive connection, or while consumers drain before the listener
 * closes) is refused with the envelope's 503, never run: the returned check gives that error
 * for the app's first onRequest hook (create-http-app.ts), undefined until the app closes.
 */
export function installConnectionDraining(app: FastifyInstance): () => AppError | undefined {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
  return () => (closing ? serviceUnavailable('Service is shutting down, try again', { headers: { 'retry-after': 1 } }) : undefined);
}
