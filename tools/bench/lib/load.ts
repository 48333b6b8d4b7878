// Starts the load generator in its own process (load-worker.ts) and drives it in two steps, so
// the caller can open its CPU window between the warm-up and the measured run.
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { LoadResult, LoadSpec, ParentMessage, WorkerMessage } from './load-types.js';

export type { LoadRequest, LoadResult, LoadSpec } from './load-types.js';

export interface LoadRun {
  /** The generator's pid, so its own CPU can be reported beside the servers'. */
  pid: number;
  /** Runs the measured part; resolves with its result once every response is in. */
  measure(): Promise<LoadResult>;
}

function nextMessage(child: ChildProcess): Promise<WorkerMessage> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: WorkerMessage) => {
      cleanup();
      if (message.type === 'failed') reject(new Error(`load generator: ${message.message}`));
      else resolve(message);
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`load generator exited (${code}) before answering`));
    };
    const cleanup = () => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/** Forks the generator and waits until its warm-up is over. */
export async function startLoad(spec: LoadSpec): Promise<LoadRun> {
  const child = fork(join(import.meta.dirname, 'load-worker.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const tell = (message: ParentMessage) => child.send(message);
  const warm = nextMessage(child);
  tell({ type: 'spec', spec });
  try {
    await warm;
  } catch (error) {
    child.kill();
    throw error;
  }
  return {
    pid: child.pid!,
    async measure() {
      const done = nextMessage(child);
      tell({ type: 'go' });
      const message = await done;
      if (message.type !== 'result') throw new Error('load generator answered out of turn');
      return message.result;
    },
  };
}

/** One line for a run that had failures: counts, and the status codes that were not 2xx. */
export function failureSummary(result: LoadResult): string {
  const codes = Object.entries(result.statusCodes)
    .filter(([code]) => !code.startsWith('2'))
    .map(([code, count]) => `${code} × ${count}`)
    .join(', ');
  return `non-2xx ${result.non2xx}${codes ? ` (${codes})` : ''}, errors ${result.errors}, timeouts ${result.timeouts} of ${result.requests}`;
}
