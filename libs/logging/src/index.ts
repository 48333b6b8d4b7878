export { createLogger, redactPaths, redactUrl, requestIdLogLabel, type CreateLoggerOptions } from './create-logger.js';
export { lazyChild } from './lazy-child.js';
export type { Logger, DestinationStream } from 'pino';
