import { refreshTokenRepository } from '../data/refresh-token-repository.js';
import type { UsersDeps } from '../deps.js';
import { hashRefreshToken } from '../domain/refresh-token.js';

/** The token's family (that login) ends. Unknown tokens are ignored (idempotent). */
export async function logout(deps: UsersDeps, presented: string): Promise<void> {
  await deps.db.transaction(async (tx) => {
    const tokens = refreshTokenRepository(tx);
    const row = await tokens.findByHashForUpdate(hashRefreshToken(presented));
    if (row) await tokens.revokeFamily(row.familyId, new Date());
  });
}
