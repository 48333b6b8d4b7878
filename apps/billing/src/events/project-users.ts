import { billingConsumers, userDeactivatedV1, type DeclaredEvent } from '@platform/contracts';
import type { Tx } from '@platform/db-kit';
import type { HandlerContext } from '@platform/messaging';
import { defineConsumer } from '@platform/service-kit';
import { billingUserRepository } from '../data/billing-user-repository.js';
import type { UserEvent } from '../domain/user-projection.js';

/** Name, stream, contracts and the fields read: declared once in @platform/contracts. */
const declaration = billingConsumers.projectUsers;
type UsersEvent = DeclaredEvent<typeof declaration>;

function toChange(event: UsersEvent): UserEvent {
  const occurredAt = new Date(event.occurredAt);
  if (event.type === userDeactivatedV1.type) return { kind: 'deactivated', occurredAt };
  const { email, fullName, role, isActive } = event.data;
  return { kind: 'snapshot', occurredAt, email, fullName, role, isActive };
}

async function projectUser(event: UsersEvent, tx: Tx, ctx: HandlerContext): Promise<void> {
  // One upsert applies `applyUserEvent`'s rule under the row's lock (it was ensure, lock, save:
  // three statements, six round trips, for the one row). Nothing reads its answer: it goes out
  // with the COMMIT (a round trip less per transaction), and a failure still blames this event.
  ctx.sendWithCommit(billingUserRepository(tx).projection(event.data.userId, toChange(event)));
}

/**
 * Keeps billing's copy of users (billing_users) from the users stream's registered, updated and
 * deactivated events. The inbox makes each event count once; the projection's rule
 * (`applyUserEvent`, applied by the repository's upsert) makes the delivery order irrelevant.
 */
export const projectUsers = defineConsumer(declaration, {
  handler: projectUser,
  // One row per user, one statement per event: a batch's users are projected with their
  // statements pipelined (one round trip, not one per event); one user's events stay in order.
  concurrencyKey: (event) => event.data.userId,
});
