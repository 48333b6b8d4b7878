import { billingConsumers, userDeactivatedV1, type DeclaredEvent } from '@platform/contracts';
import type { Tx } from '@platform/db-kit';
import type { HandlerContext } from '@platform/messaging';
import { defineConsumer } from '@platform/service-kit';
import { billingUserRepository } from '../data/billing-user-repository.js';
import { applyUserEvent, type UserEvent } from '../domain/user-projection.js';

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
  const users = billingUserRepository(tx);
  const { userId } = event.data;
  // Create-if-missing then lock: concurrent replicas and account openings serialise on the row.
  await users.ensure(userId, 'event');
  const current = await users.lock(userId, 'update');
  if (!current) throw new Error(`billing user ${userId} vanished while projecting`);
  const next = applyUserEvent(current, toChange(event));
  await users.save(userId, next);
  ctx.logger.debug({ userId, isActive: next.isActive }, 'user projected');
}

/**
 * Keeps billing's copy of users (billing_users) from the users stream's registered, updated and
 * deactivated events. The inbox makes each event count once; `applyUserEvent` makes the delivery
 * order irrelevant.
 */
export const projectUsers = defineConsumer(declaration, { handler: projectUser });
