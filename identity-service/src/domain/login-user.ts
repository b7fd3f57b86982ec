import { UnauthorizedError } from '@social/common/http';
import { findUserByEmail, updatePasswordHash } from '../models/user.model';
import type { IdentityDomainDeps } from './deps';
import { issueTokens, type IssuedTokens } from './issue-tokens';

export interface LoginUserCommand {
  email: string;
  password: string;
}

type LoginDeps = Pick<
  IdentityDomainDeps,
  'config' | 'log' | 'users' | 'refreshTokens' | 'hasher' | 'authMetrics'
>;

/** One message for an unknown email and a wrong password, so the answer does not reveal accounts. */
export const INVALID_CREDENTIALS = 'Invalid email or password';

export async function loginUser(
  deps: LoginDeps,
  cmd: LoginUserCommand,
): Promise<{ userId: string } & IssuedTokens> {
  const user = await findUserByEmail(deps.users, cmd.email);
  // An unknown email still pays for one argon2 verify: same work, same timing, same 401.
  const valid = user
    ? await deps.hasher.verify(user.passwordHash, cmd.password)
    : await deps.hasher.verifyAgainstDummy(cmd.password);
  if (!user || !valid) {
    deps.authMetrics.logins.inc({ outcome: 'invalid_credentials' });
    deps.log.info('login rejected', { reason: user ? 'wrong password' : 'unknown email' });
    throw new UnauthorizedError(INVALID_CREDENTIALS);
  }
  const userId = user._id.toHexString();
  if (deps.hasher.needsRehash(user.passwordHash)) {
    // Cost parameters were raised since this hash was made; the plain password is only available now.
    await updatePasswordHash(deps.users, userId, await deps.hasher.hash(cmd.password));
    deps.log.info('password rehashed with current parameters', { userId });
  }
  const tokens = await issueTokens(deps, { id: userId, username: user.username });
  deps.authMetrics.logins.inc({ outcome: 'success' });
  deps.log.info('user logged in', { userId });
  return { userId, ...tokens };
}
