import { unauthorized } from '@platform/http-kit';
import { refreshTokenRepository } from '../data/refresh-token-repository.js';
import type { UserRow } from '../data/schema.js';
import { userRepository } from '../data/user-repository.js';
import type { UsersDeps } from '../deps.js';
import { hashRefreshToken } from '../domain/refresh-token.js';
import type { TokenPair } from '../domain/sessions.js';

type RotateOutcome = { kind: 'rotated'; user: UserRow; refreshToken: string } | { kind: 'invalid' } | { kind: 'reused'; userId: string };

/**
 * A refresh token for a new pair: the presented token is marked used and its successor joins the
 * same family. A used token presented again (a copy in other hands) revokes the whole family.
 */
export async function refreshSession(deps: UsersDeps, presented: string): Promise<TokenPair> {
  const { db, sessions, logger } = deps;
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
    return { kind: 'rotated', user, refreshToken: await sessions.store(tx, user.id, row.familyId) };
  });
  if (outcome.kind === 'reused') logger.warn({ userId: outcome.userId }, 'refresh token reused: its family is revoked');
  if (outcome.kind !== 'rotated') throw unauthorized('Invalid or expired refresh token');
  return sessions.pair(outcome.user, outcome.refreshToken);
}
