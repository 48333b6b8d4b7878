import { createHttpApp } from '@platform/http-kit';
import { createLogger, type Logger } from '@platform/logging';
import type { GatewayConfig } from './config.js';
import { upstreamReadiness } from './upstream-readiness.js';

export interface BuildGatewayOptions {
  logger?: Logger;
}

/** The one HTTP API clients call; `main.ts` serves it, tests inject into it. */
export async function buildApp(config: GatewayConfig, options: BuildGatewayOptions = {}) {
  const logger = options.logger ?? createLogger({ service: 'gateway', level: config.logLevel });
  const readinessTimeoutMs = 2_000;
  const app = await createHttpApp({
    service: 'gateway',
    logger,
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy,
    readiness: upstreamReadiness(config.upstreams, readinessTimeoutMs - 100),
    readinessTimeoutMs,
    openapi: { title: 'Platform API', version: '1.0.0', description: 'The one HTTP API clients call.' },
  });
  await app.ready();
  return app;
}
