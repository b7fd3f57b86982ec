import { UnauthorizedError } from '@social/common/http';
import { signAccessToken } from '@social/common/auth';
import type { RefreshTokenDoc } from '../models/refresh-token.model';
import type { IdentityDomainDeps } from './deps';
import { storeRefreshToken, type IssuedTokens } from './issue-tokens';
import { hashRefreshToken } from './refresh-token';

type RotateDeps = Pick<IdentityDomainDeps, 'config' | 'log' | 'users' | 'refreshTokens' | 'authMetrics'>;

const INVALID_REFRESH_TOKEN = 'Invalid or expired refresh token';

/**
 * Exchanges a refresh token for a new pair; the presented token dies. Presenting a token that was already
 * rotated means two parties hold it (RFC 9700 §4.14.2), so its whole family is revoked.
 */
export async function rotateRefreshToken(
  deps: RotateDeps,
  cmd: { refreshToken: string },
): Promise<IssuedTokens> {
  const hash = hashRefreshToken(cmd.refreshToken);
  const now = new Date();
  const current = await deps.refreshTokens.findOne({ hash }).lean();
  if (!current) return reject(deps, 'invalid');
  if (current.revokedAt)
    return current.replacedBy ? revokeFamilyOnReuse(deps, current) : reject(deps, 'invalid');
  if (current.expiresAt <= now) return reject(deps, 'invalid');

  const user = await deps.users.findById(current.userId).lean();
  if (!user) return reject(deps, 'invalid');

  // The successor exists before the rotation commits, so a concurrent reuse that revokes the family
  // (below) always catches it too: no surviving token after a detected reuse.
  const userId = current.userId.toHexString();
  const successor = await storeRefreshToken(deps, { userId, familyId: current.familyId });
  const rotated = await deps.refreshTokens.findOneAndUpdate(
    { hash, revokedAt: null, expiresAt: { $gt: now } },
    { $set: { revokedAt: now, replacedBy: successor.hash } },
  );
  if (!rotated) {
    // Someone rotated (or revoked) this token between our read and our write: the single winner is theirs.
    await deps.refreshTokens.deleteOne({ hash: successor.hash });
    const raced = await deps.refreshTokens.findOne({ hash }).lean();
    return raced?.replacedBy ? revokeFamilyOnReuse(deps, raced) : reject(deps, 'invalid');
  }

  const { accessToken, expiresIn } = signAccessToken(deps.config, { id: userId, username: user.username });
  deps.authMetrics.refreshes.inc({ outcome: 'success' });
  deps.log.info('refresh token rotated', { userId, familyId: current.familyId });
  return { accessToken, refreshToken: successor.token, expiresIn };
}

function reject(deps: Pick<RotateDeps, 'authMetrics'>, outcome: 'invalid' | 'reuse_detected'): never {
  deps.authMetrics.refreshes.inc({ outcome });
  throw new UnauthorizedError(INVALID_REFRESH_TOKEN);
}

async function revokeFamilyOnReuse(deps: RotateDeps, token: RefreshTokenDoc): Promise<never> {
  const { modifiedCount } = await deps.refreshTokens.updateMany(
    { familyId: token.familyId, revokedAt: null },
    { $set: { revokedAt: new Date() } },
  );
  deps.log.warn('refresh token reuse detected, token family revoked', {
    userId: token.userId.toHexString(),
    familyId: token.familyId,
    revokedCount: modifiedCount,
  });
  return reject(deps, 'reuse_detected');
}
