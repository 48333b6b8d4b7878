import { randomUUID } from 'node:crypto';
import type { Db, DbOrTx } from '@platform/db-kit';
import { unauthorized, type HttpApp } from '@platform/http-kit';
import type { Logger } from '@platform/logging';
import type { UsersSettings } from '../config.js';
import { refreshTokenRepository } from '../data/refresh-token-repository.js';
import type { UserRow } from '../data/schema.js';
import { userRepository } from '../data/user-repository.js';
import { hashRefreshToken, newRefreshToken } from '../domain/refresh-token.js';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

type RotateOutcome = { kind: 'rotated'; user: UserRow; refreshToken: string } | { kind: 'invalid' } | { kind: 'reused'; userId: string };

const INVALID = 'Invalid or expired refresh token';

/**
 * Access + refresh token pairs. A login starts a refresh-token family; each refresh marks the
 * presented token used and issues its successor in the same family. A used token presented
 * again means a copy is in someone else's hands: the whole family is revoked.
 */
export function createSessions(deps: { db: Db; app: HttpApp; settings: UsersSettings; logger: Logger }) {
  const { db, app, settings, logger } = deps;
  const accessToken = (user: UserRow) => app.jwt.sign({ sub: user.id, role: user.role, jti: randomUUID() });
  const pair = (user: UserRow, refreshToken: string): TokenPair => ({
    accessToken: accessToken(user),
    refreshToken,
    tokenType: 'Bearer',
    expiresIn: settings.accessTokenTtlSec,
  });
  const store = async (tx: DbOrTx, userId: string, familyId: string): Promise<string> => {
    const token = newRefreshToken();
    const expiresAt = new Date(Date.now() + settings.refreshTokenTtlSec * 1000);
    await refreshTokenRepository(tx).insert({ userId, familyId, tokenHash: hashRefreshToken(token), expiresAt });
    return token;
  };

  return {
    /** A new family for a fresh login; call inside the login's transaction. */
    async start(tx: DbOrTx, user: UserRow): Promise<TokenPair> {
      return pair(user, await store(tx, user.id, randomUUID()));
    },

    async rotate(presented: string): Promise<TokenPair> {
      const outcome = await db.transaction(async (tx): Promise<RotateOutcome> => {
        const tokens = refreshTokenRepository(tx);
        const row = await tokens.findByHashForUpdate(hashRefreshToken(presented));
        const now = new Date();
        if (!row || row.revokedAt) return { kind: 'invalid' };
        if (row.usedAt) {
          await tokens.revokeFamily(row.familyId, now);
          return { kind: 'reused', userId: row.userId };
        }
        if (row.expiresAt <= now) return { kind: 'invalid' };
        const user = await userRepository(tx).findById(row.userId);
        if (!user?.isActive) {
          await tokens.revokeFamily(row.familyId, now);
          return { kind: 'invalid' };
        }
        await tokens.markUsed(row.id, now);
        return { kind: 'rotated', user, refreshToken: await store(tx, user.id, row.familyId) };
      });
      if (outcome.kind === 'reused') logger.warn({ userId: outcome.userId }, 'refresh token reused: its family is revoked');
      if (outcome.kind !== 'rotated') throw unauthorized(INVALID);
      return pair(outcome.user, outcome.refreshToken);
    },

    /** Logout: the token's family (that login) ends. Unknown tokens are ignored (idempotent). */
    async end(presented: string): Promise<void> {
      await db.transaction(async (tx) => {
        const tokens = refreshTokenRepository(tx);
        const row = await tokens.findByHashForUpdate(hashRefreshToken(presented));
        if (row) await tokens.revokeFamily(row.familyId, new Date());
      });
    },

    /** Password change, deactivation: every login of the user ends. */
    revokeAll: (tx: DbOrTx, userId: string) => refreshTokenRepository(tx).revokeAllOfUser(userId, new Date()),
  };
}

export type Sessions = ReturnType<typeof createSessions>;
