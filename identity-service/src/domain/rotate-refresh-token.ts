import { UnauthorizedError } from '@social/common/http';
import { signAccessToken } from '@social/common/auth';
import {
  deleteRefreshToken,
  findRefreshToken,
  markRotated,
  revokeFamily,
  type LeanRefreshToken,
} from '../models/refresh-token.model';
import { findUserById } from '../models/user.model';
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
  const current = await findRefreshToken(deps.refreshTokens, hash);
  if (!current) return reject(deps, 'invalid');
  if (current.revokedAt)
    return current.replacedBy ? revokeFamilyOnReuse(deps, current) : reject(deps, 'invalid');
  if (current.expiresAt <= now) return reject(deps, 'invalid');

  const user = await findUserById(deps.users, current.userId.toHexString());
  if (!user) return reject(deps, 'invalid');

  // The successor exists before the rotation commits, so a concurrent reuse that revokes the family
  // (below) always catches it too: no surviving token after a detected reuse.
  const userId = current.userId.toHexString();
  const successor = await storeRefreshToken(deps, { userId, familyId: current.familyId });
  const rotated = await markRotated(deps.refreshTokens, { hash, now, successorHash: successor.hash });
  if (!rotated) {
    // Someone rotated (or revoked) this token between our read and our write: the single winner is theirs.
    await deleteRefreshToken(deps.refreshTokens, successor.hash);
    const raced = await findRefreshToken(deps.refreshTokens, hash);
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

async function revokeFamilyOnReuse(deps: RotateDeps, token: LeanRefreshToken): Promise<never> {
  const revokedCount = await revokeFamily(deps.refreshTokens, token.familyId);
  deps.log.warn('refresh token reuse detected, token family revoked', {
    userId: token.userId.toHexString(),
    familyId: token.familyId,
    revokedCount,
  });
  return reject(deps, 'reuse_detected');
}
