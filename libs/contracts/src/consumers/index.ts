import type { EventContract } from '../define-event.js';
import { analyticsConsumers } from './analytics.js';
import { billingConsumers } from './billing.js';
import type { ConsumerDeclaration } from './declare-consumer.js';
import { notificationsConsumers } from './notifications.js';

export * from './declare-consumer.js';
export { analyticsConsumers, billingConsumers, notificationsConsumers };

/** Every consumer of the platform, by service (users consumes nothing). */
export const allConsumers: readonly ConsumerDeclaration[] = [
  ...Object.values(billingConsumers),
  ...Object.values(notificationsConsumers),
  ...Object.values(analyticsConsumers),
];

/** The consumers of one contract, with the fields each reads. */
export function consumersOf(contract: EventContract): { consumer: ConsumerDeclaration; fields: readonly string[] }[] {
  return allConsumers.flatMap((consumer) =>
    consumer.reads.filter((r) => r.contract.type === contract.type).map((r) => ({ consumer, fields: r.fields })),
  );
}
