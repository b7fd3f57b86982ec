import { NotFoundError, UnauthorizedError } from '@social/common/http';
import { findActiveEdgesOf, purgeInactiveEdgesOf, retireFollow } from '../models/follow.model';
import { deleteRefreshTokensOf } from '../models/refresh-token.model';
import { findUserById, incrementFollowCounts, markUserDeleted } from '../models/user.model';
import type { IdentityDomainDeps } from './deps';

type DeleteDeps = Pick<
  IdentityDomainDeps,
  'users' | 'refreshTokens' | 'follows' | 'hasher' | 'outbox' | 'log'
>;

const EDGE_BATCH = 500;

/**
 * Removes an account's follow edges on both sides, moving the other side's counter for each edge this call
 * retired. Idempotent: the user.deleted consumer runs it again, so a crash half-way leaves nothing behind.
 */
export async function dropFollowEdges(
  deps: Pick<DeleteDeps, 'users' | 'follows'>,
  userId: string,
): Promise<void> {
  for (;;) {
    const edges = await findActiveEdgesOf(deps.follows, userId, EDGE_BATCH);
    for (const edge of edges) {
      if (await retireFollow(deps.follows, edge._id)) {
        await incrementFollowCounts(deps.users, {
          followerId: edge.followerId,
          followeeId: edge.followeeId,
          delta: -1,
        });
      }
    }
    if (edges.length < EDGE_BATCH) break;
  }
  await purgeInactiveEdgesOf(deps.follows, userId);
}

/**
 * Deletes the caller's account after re-checking the password: the account (its email and username free at
 * once), its refresh tokens (no new access token can be had) and its follow edges are gone before the answer;
 * user.deleted then tells every other service to forget the user. Access tokens already issued are stateless:
 * they expire within their lifetime (JWT_ACCESS_TTL_SECONDS), and until then the services refuse their user.
 */
export async function deleteAccount(
  deps: DeleteDeps,
  cmd: { userId: string; password: string; correlationId?: string },
): Promise<void> {
  const user = await findUserById(deps.users, cmd.userId);
  if (!user) throw new NotFoundError('User not found');
  if (!(await deps.hasher.verify(user.passwordHash, cmd.password))) {
    throw new UnauthorizedError('Wrong password');
  }
  if (!(await markUserDeleted(deps.users, cmd))) throw new NotFoundError('User not found');
  deps.outbox.kick();
  await deleteRefreshTokensOf(deps.refreshTokens, cmd.userId);
  await dropFollowEdges(deps, cmd.userId);
  deps.log.info('account deleted', { userId: cmd.userId });
}
