import { randomUUID } from 'node:crypto';
import { signAccessToken } from '@social/common/auth';
import { insertRefreshToken } from '../models/refresh-token.model';
import type { IdentityDomainDeps } from './deps';
import { hashRefreshToken, newRefreshToken } from './refresh-token';

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  /** Access-token lifetime in seconds. */
  expiresIn: number;
}

type StoreDeps = Pick<IdentityDomainDeps, 'config' | 'refreshTokens'>;

/** Creates and stores (hashed) one refresh token of a family; returns the token, which only the client keeps. */
export async function storeRefreshToken(
  deps: StoreDeps,
  owner: { userId: string; familyId: string },
): Promise<{ token: string; hash: string }> {
  const token = newRefreshToken();
  const hash = hashRefreshToken(token);
  await insertRefreshToken(deps.refreshTokens, {
    hash,
    userId: owner.userId,
    familyId: owner.familyId,
    expiresAt: new Date(Date.now() + deps.config.REFRESH_TOKEN_TTL_SECONDS * 1000),
  });
  return { token, hash };
}

/** A new session: an access token and the first refresh token of a new family. */
export async function issueTokens(
  deps: StoreDeps,
  user: { id: string; username: string },
): Promise<IssuedTokens> {
  const { token } = await storeRefreshToken(deps, { userId: user.id, familyId: randomUUID() });
  const { accessToken, expiresIn } = signAccessToken(deps.config, user);
  return { accessToken, refreshToken: token, expiresIn };
}
