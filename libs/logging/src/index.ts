export { createLogger, redactPaths, redactUrl, requestIdLogLabel, type CreateLoggerOptions } from './create-logger.js';
export type { Logger, DestinationStream } from 'pino';
