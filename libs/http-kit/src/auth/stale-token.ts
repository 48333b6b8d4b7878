import type { AccessClaims } from './claims.js';

/**
 * What a service knows of a token's user: the users service from its own table, every other
 * service from its projection of `users.user.*` events.
 */
export interface KnownUserState {
  isActive: boolean;
  /**
   * The role as last learned; absent while not known. `since`: when it was set (the event's
   * `occurredAt`) for a projection, which may lag; none for the owner of users, whose role is
   * current by definition.
   */
  role?: { name: string; since?: Date };
}

/**
 * A row of a service's users table or projection as `KnownUserState`: a role counts only
 * together with the time it was set (`since`; `null` while no event set it).
 */
export function knownUser(isActive: boolean, role: string | null, since: Date | null): KnownUserState {
  return role !== null && since !== null ? { isActive, role: { name: role, since } } : { isActive };
}

/**
 * docs/contract.md §3: a token of a deactivated user, or one whose role is no longer the user's role, is
 * refused. A token signed after the role we know was set is newer than our knowledge (a
 * projection a moment behind a promotion): its role is the current one and it stands. So a
 * demoted admin's token falls as soon as the demotion is known, and a fresh login after a role
 * change is never refused by a service that has not heard of the change yet.
 */
export function isStaleToken(claims: Pick<AccessClaims, 'role' | 'iat'>, user: KnownUserState): boolean {
  if (!user.isActive) return true;
  if (!user.role || user.role.name === claims.role) return false;
  return user.role.since === undefined || claims.iat * 1000 <= user.role.since.getTime();
}

/**
 * The `isRevoked` check every service runs after the signature: look the user up (one prepared
 * primary-key query) and refuse a stale token. A user a projection has not heard of yet is
 * accepted (no event yet); the users service, which owns users, refuses them.
 */
export function refuseStaleTokens(
  lookup: (userId: string) => Promise<KnownUserState | undefined>,
  { unknownUser = 'accept' }: { unknownUser?: 'accept' | 'refuse' } = {},
): (claims: AccessClaims) => Promise<boolean> {
  // The lookup's promise handed on (no async layer of its own: this runs on every authenticated request).
  return (claims) => lookup(claims.sub).then((user) => (user ? isStaleToken(claims, user) : unknownUser === 'refuse'));
}
