import {
  userDeactivatedV1,
  userLoggedInV1,
  userPasswordChangedV1,
  userRegisteredV1,
  userUpdatedV1,
} from '@platform/contracts';
import type { DbOrTx } from '@platform/db-kit';
import { enqueueEvent, outboxRecord } from '@platform/messaging';
import type { UserRow } from './data/schema.js';

type UserSnapshotSource = Pick<UserRow, 'id' | 'email' | 'fullName' | 'role' | 'isActive'>;

function snapshot(user: UserSnapshotSource) {
  return { userId: user.id, email: user.email, fullName: user.fullName, role: user.role, isActive: user.isActive };
}

/**
 * What the users service publishes (docs/contract.md §6), always through the outbox inside the
 * transaction of the change: pass the transaction and the request id. The service's relay is
 * woken once that transaction commits (createService's `wakeAfterCommit`), not by a NOTIFY in it.
 */
export const userEvents = {
  registered: (tx: DbOrTx, user: UserRow, correlationId: string) =>
    enqueueEvent(tx, userRegisteredV1, snapshot(user), { correlationId }),
  /**
   * Name, role or active flag changed (profile fields are not part of the snapshot). `occurredAt`:
   * when the change took the row (its new `updated_at`, see `updateInOrder`); now by default.
   */
  updated: (tx: DbOrTx, user: UserRow, correlationId: string, occurredAt?: Date) =>
    enqueueEvent(tx, userUpdatedV1, snapshot(user), { correlationId, occurredAt }),
  /**
   * The same event as `updated`, validated, as the outbox row's JSON texts: for a statement that
   * writes the change and its outbox row together (the relay is woken after it, see
   * `prepareGuardedOwnUpdate`). Without `occurredAt`: the row's new `updated_at`, which only that
   * statement knows, is the statement's to add.
   */
  updatedRow(user: UserSnapshotSource, correlationId: string) {
    const { event, headers } = outboxRecord(userUpdatedV1, snapshot(user), { correlationId });
    const { occurredAt: _setByTheStatement, ...payload } = event;
    return { id: event.id, subject: event.type, payload: JSON.stringify(payload), headers: JSON.stringify(headers) };
  },
  /** `occurredAt`: as for `updated`, the deactivating change's new `updated_at`; now by default. */
  deactivated: (tx: DbOrTx, userId: string, correlationId: string, occurredAt?: Date) =>
    enqueueEvent(tx, userDeactivatedV1, { userId }, { correlationId, occurredAt }),
  loggedIn: (tx: DbOrTx, userId: string, correlationId: string) => enqueueEvent(tx, userLoggedInV1, { userId }, { correlationId }),
  passwordChanged: (tx: DbOrTx, userId: string, correlationId: string) =>
    enqueueEvent(tx, userPasswordChangedV1, { userId }, { correlationId }),
};
