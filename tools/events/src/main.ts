// `npm run events -- <command>`: dead letters, outbox and consumers of the platform, for operators.
import { ConfigError, loadEnvFiles } from '@platform/config';
import { createLogger } from '@platform/logging';
import { connectNats, DeadLetterNotFoundError, type NatsHandle } from '@platform/messaging';
import { parseInvocation, usage, UsageError } from './args.js';
import { run } from './commands.js';
import { parseCliConfig } from './config.js';

const oneLine = (err: unknown) => (err instanceof Error ? err.message : String(err)).split('\n')[0];

async function main(argv: string[]): Promise<number> {
  let invocation;
  try {
    invocation = parseInvocation(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`events: ${err.message}\n`);
    return 2;
  }
  const { command, json } = invocation;
  if (command.name === 'help') {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  loadEnvFiles(process.cwd());
  let config;
  try {
    config = parseCliConfig(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`events: ${err.message}\n`);
    return 2;
  }
  let nats: NatsHandle | undefined;
  const logger = createLogger({ service: 'events-cli', level: 'silent' });
  try {
    const outcome = await run(command, {
      config,
      nats: async () => {
        nats ??= await connectNats({ servers: config.natsUrl, name: 'events-cli', logger, timeoutMs: 3_000 }).catch((err: unknown) => {
          throw new Error(`cannot reach NATS at ${config.natsUrl}: ${oneLine(err)}`);
        });
        return nats;
      },
    });
    process.stdout.write(`${json ? JSON.stringify(outcome.data, null, 2) : outcome.text}\n`);
    return outcome.exitCode;
  } catch (err) {
    process.stderr.write(`events: ${err instanceof DeadLetterNotFoundError ? err.message : oneLine(err)}\n`);
    return 1;
  } finally {
    await nats?.close().catch(() => undefined);
  }
}

process.exitCode = await main(process.argv.slice(2));
