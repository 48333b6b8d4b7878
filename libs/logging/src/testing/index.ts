import { Writable } from 'node:stream';
import { createLogger } from '../create-logger.js';

export interface CapturedLogs {
  logger: ReturnType<typeof createLogger>;
  lines: Array<Record<string, unknown>>;
  /** Raw text of every line, for "this secret never appears" assertions. */
  text(): string;
}

/** A real pino logger whose JSON lines are kept in memory, so tests can assert on them. */
export function captureLogs(service = 'test', level = 'debug'): CapturedLogs {
  const raw: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      raw.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const logger = createLogger({ service, level, destination });
  return {
    logger,
    get lines() {
      return raw.map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    text: () => raw.join('\n'),
  };
}
