import type { AccessClaims } from '@platform/http-kit';

/** Who asks: a token's subject and role. */
export type Caller = Pick<AccessClaims, 'sub' | 'role'>;

/** Admins see every billing resource; everyone else only their own. */
export const isAdmin = (caller: Pick<Caller, 'role'>) => caller.role === 'admin';

/** The owner filter of a read: none for an admin, the caller's id for anyone else. */
export const ownerFilter = (caller: Caller): string | undefined => (isAdmin(caller) ? undefined : caller.sub);
