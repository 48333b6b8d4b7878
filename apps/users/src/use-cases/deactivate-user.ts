import type { UserRow } from '../data/schema.js';
import type { UsersDeps } from '../deps.js';
import { changeUser } from './change-user.js';

/** The soft delete: the user's active flag off, its logins ended (idempotent). */
export function deactivateUser(deps: UsersDeps, actorId: string, id: string, requestId: string): Promise<UserRow> {
  return changeUser(deps, actorId, id, { isActive: false }, requestId);
}
