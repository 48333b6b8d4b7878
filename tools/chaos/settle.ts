// What every chaos scenario does once its faults are over: stop the clients, wait until the
// platform is quiet, count every effect, and sum it up in the figures line's first part.
import type { NatsHandle } from '@platform/messaging';
import type { Quiescence } from '../../apps/e2e/src/quiescence.js';
import type { SmtpSink } from '../../apps/e2e/src/smtp.js';
import { checkEffects, type EffectReport } from './effects.js';
import type { Load, Tally } from './load.js';

export interface Settled {
  effects: EffectReport;
  tally: Tally;
  /** `<label>: users=… lost=… | requests=… 2xx=…`; the scenario appends its own figures. */
  figures: string;
  /** Anything lost, duplicated, dead-lettered, or answered other than 2xx / 4xx / 503 / 504 / the envelope. */
  bad: boolean;
}

export async function settle(options: {
  label: string;
  /** The first error of the fault sequence: rethrown once the clients are stopped. */
  failure: unknown;
  load: Load;
  quiet: Quiescence;
  observer: NatsHandle;
  namespace: string;
  smtp: SmtpSink;
  adminEmail: string;
  log: (message: string) => void;
}): Promise<Settled> {
  await options.load.stop();
  options.log('load stopped, waiting for the platform to be quiet');
  if (options.failure) throw options.failure;
  await options.quiet.wait(300_000);
  const effects = await checkEffects(options.quiet.db, options.observer, options.namespace, options.smtp, options.adminEmail);
  const t = options.load.tally;
  for (const detail of [...effects.details, ...t.samples]) console.log(`  ${detail}`);
  const figures = [
    `${options.label}: users=${effects.users} payments=${effects.payments} effects=${effects.effects}`,
    `lost=${effects.lost} duplicated=${effects.duplicated} duplicate-emails=${effects.duplicateEmails} dead-letters=${effects.deadLetters}`,
    `| requests=${t.requests} 2xx=${t.ok2xx} 4xx=${t.client4xx} 503=${t.unavailable503} 504=${t.timeout504} other=${t.other} non-envelope=${t.bare}`,
  ].join(' ');
  const bad = effects.lost + effects.duplicated + effects.duplicateEmails + effects.deadLetters + t.other + t.bare > 0;
  return { effects, tally: t, figures, bad };
}
