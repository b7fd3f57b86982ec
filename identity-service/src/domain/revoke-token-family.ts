import { findRefreshToken, revokeFamily } from '../models/refresh-token.model';
import type { IdentityDomainDeps } from './deps';
import { hashRefreshToken } from './refresh-token';

type RevokeDeps = Pick<IdentityDomainDeps, 'log' | 'refreshTokens' | 'authMetrics'>;

/**
 * Logout: revokes every token of the presented token's family (the whole session, whatever rotation the
 * client is at). Idempotent, and an unknown token is not an error: logout must always succeed for the client.
 */
export async function revokeTokenFamily(deps: RevokeDeps, cmd: { refreshToken: string }): Promise<void> {
  deps.authMetrics.logouts.inc();
  const token = await findRefreshToken(deps.refreshTokens, hashRefreshToken(cmd.refreshToken));
  if (!token) return;
  const revokedCount = await revokeFamily(deps.refreshTokens, token.familyId);
  deps.log.info('user logged out', { userId: token.userId.toHexString(), revokedCount });
}
