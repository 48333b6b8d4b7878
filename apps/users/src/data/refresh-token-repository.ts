import type { DbOrTx } from '@platform/db-kit';
import { and, eq, isNull } from 'drizzle-orm';
import { refreshTokensTable, type RefreshTokenRow } from './schema.js';

export interface NewRefreshToken {
  userId: string;
  familyId: string;
  tokenHash: string;
  expiresAt: Date;
}

/** Repository over `refresh_tokens` (hashes only; the token itself is never stored). */
export function refreshTokenRepository(db: DbOrTx) {
  return {
    async insert(token: NewRefreshToken): Promise<void> {
      await db.insert(refreshTokensTable).values(token);
    },

    /** Locked, so two concurrent refreshes with one token cannot both rotate it. */
    async findByHashForUpdate(tokenHash: string): Promise<RefreshTokenRow | undefined> {
      const [row] = await db.select().from(refreshTokensTable).where(eq(refreshTokensTable.tokenHash, tokenHash)).limit(1).for('update');
      return row;
    },

    async markUsed(id: string, at: Date): Promise<void> {
      await db.update(refreshTokensTable).set({ usedAt: at }).where(eq(refreshTokensTable.id, id));
    },

    async revokeFamily(familyId: string, at: Date): Promise<number> {
      const rows = await db
        .update(refreshTokensTable)
        .set({ revokedAt: at })
        .where(and(eq(refreshTokensTable.familyId, familyId), isNull(refreshTokensTable.revokedAt)))
        .returning({ id: refreshTokensTable.id });
      return rows.length;
    },

    async revokeAllOfUser(userId: string, at: Date): Promise<number> {
      const rows = await db
        .update(refreshTokensTable)
        .set({ revokedAt: at })
        .where(and(eq(refreshTokensTable.userId, userId), isNull(refreshTokensTable.revokedAt)))
        .returning({ id: refreshTokensTable.id });
      return rows.length;
    },
  };
}
