import type { IdentityDomainDeps } from './deps';
import { hashRefreshToken } from './refresh-token';

type RevokeDeps = Pick<IdentityDomainDeps, 'log' | 'refreshTokens' | 'authMetrics'>;

/**
 * Logout: revokes every token of the presented token's family (the whole session, whatever rotation the
 * client is at). Idempotent, and an unknown token is not an error: logout must always succeed for the client.
 */
export async function revokeTokenFamily(deps: RevokeDeps, cmd: { refreshToken: string }): Promise<void> {
  deps.authMetrics.logouts.inc();
  const token = await deps.refreshTokens.findOne({ hash: hashRefreshToken(cmd.refreshToken) }).lean();
  if (!token) return;
  const { modifiedCount } = await deps.refreshTokens.updateMany(
    { familyId: token.familyId, revokedAt: null },
    { $set: { revokedAt: new Date() } },
  );
  deps.log.info('user logged out', { userId: token.userId.toHexString(), revokedCount: modifiedCount });
}
