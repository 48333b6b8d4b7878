import { randomUUID } from 'node:crypto';
import type { DbOrTx } from '@platform/db-kit';
import type { AccessTokenPayload } from '@platform/http-kit';
import type { UsersSettings } from '../config.js';
import { refreshTokenRepository } from '../data/refresh-token-repository.js';
import type { UserRow } from '../data/schema.js';
import { hashRefreshToken, newRefreshToken } from './refresh-token.js';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

/**
 * Access + refresh token pairs. A login starts a refresh-token family; each refresh marks the
 * presented token used and issues its successor in the same family (use-cases/refresh-session.ts).
 * A used token presented again means a copy is in someone else's hands: the whole family is revoked.
 */
export function createSessions(deps: { settings: UsersSettings; sign: (payload: AccessTokenPayload) => string }) {
  const { settings, sign } = deps;
  const pair = (user: UserRow, refreshToken: string): TokenPair => ({
    accessToken: sign({ sub: user.id, role: user.role, jti: randomUUID() }),
    refreshToken,
    tokenType: 'Bearer',
    expiresIn: settings.accessTokenTtlSec,
  });
  /** A new refresh token of `familyId`, stored as its hash; call inside the caller's transaction. */
  const store = async (tx: DbOrTx, userId: string, familyId: string): Promise<string> => {
    const token = newRefreshToken();
    const expiresAt = new Date(Date.now() + settings.refreshTokenTtlSec * 1000);
    await refreshTokenRepository(tx).insert({ userId, familyId, tokenHash: hashRefreshToken(token), expiresAt });
    return token;
  };

  return {
    pair,
    store,
    /** A new family for a fresh login; call inside the login's transaction. */
    async start(tx: DbOrTx, user: UserRow): Promise<TokenPair> {
      return pair(user, await store(tx, user.id, randomUUID()));
    },
    /** Password change, deactivation: every login of the user ends. */
    revokeAll: (tx: DbOrTx, userId: string) => refreshTokenRepository(tx).revokeAllOfUser(userId, new Date()),
  };
}

export type Sessions = ReturnType<typeof createSessions>;
