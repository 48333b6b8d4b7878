import type { EventContract } from './define-event.js';
import {
  accountCreatedV1,
  invoiceIssuedV1,
  invoicePaidV1,
  invoiceVoidedV1,
  paymentReceivedV1,
} from './events/billing.js';
import { notificationFailedV1, notificationSentV1 } from './events/notifications.js';
import {
  userDeactivatedV1,
  userLoggedInV1,
  userPasswordChangedV1,
  userRegisteredV1,
  userUpdatedV1,
} from './events/users.js';

export const allEventContracts = [
  userRegisteredV1,
  userUpdatedV1,
  userDeactivatedV1,
  userLoggedInV1,
  userPasswordChangedV1,
  accountCreatedV1,
  invoiceIssuedV1,
  paymentReceivedV1,
  invoicePaidV1,
  invoiceVoidedV1,
  notificationSentV1,
  notificationFailedV1,
] as const;

export type KnownEventContract = (typeof allEventContracts)[number];
export type EventType = KnownEventContract['type'];

/** Every contract by its type (= subject). */
export const eventContracts = Object.freeze(
  Object.fromEntries(allEventContracts.map((c) => [c.type, c])),
) as { readonly [K in EventType]: Extract<KnownEventContract, { type: K }> };

export function contractFor<T extends EventType>(type: T): (typeof eventContracts)[T];
export function contractFor(type: string): EventContract | undefined;
export function contractFor(type: string): EventContract | undefined {
  return Object.hasOwn(eventContracts, type) ? eventContracts[type as EventType] : undefined;
}
