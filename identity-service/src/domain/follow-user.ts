import { NotFoundError, ValidationError } from '@social/common/http';
import { activateFollow, deactivateFollow } from '../models/follow.model';
import { findUserById, incrementFollowCounts } from '../models/user.model';
import type { IdentityDomainDeps } from './deps';

type FollowDeps = Pick<IdentityDomainDeps, 'users' | 'follows' | 'outbox' | 'log'>;

export interface FollowState {
  following: boolean;
  /** The followee's follower count after the change. */
  followers: number;
}

async function followee(deps: FollowDeps, cmd: { followerId: string; followeeId: string }) {
  if (cmd.followerId === cmd.followeeId) {
    throw new ValidationError('You cannot follow yourself', [
      { path: 'params.id', reason: 'is your own id' },
    ]);
  }
  const user = await findUserById(deps.users, cmd.followeeId);
  if (!user) throw new NotFoundError('User not found');
}

async function followersOf(deps: FollowDeps, userId: string): Promise<number> {
  const user = await findUserById(deps.users, userId);
  return Math.max(0, user?.followers ?? 0);
}

/**
 * Follows a user. Idempotent: the edge moves (and the counters with it, and user.followed goes out) only for the
 * call that made it active; a second follow, or a racing one, answers the same and changes nothing.
 */
export async function followUser(
  deps: FollowDeps,
  cmd: { followerId: string; followeeId: string; correlationId?: string },
): Promise<FollowState> {
  await followee(deps, cmd);
  if (await activateFollow(deps.follows, cmd)) {
    await incrementFollowCounts(deps.users, { ...cmd, delta: 1 });
    deps.outbox.kick();
    deps.log.info('user followed', { followeeId: cmd.followeeId });
  }
  return { following: true, followers: await followersOf(deps, cmd.followeeId) };
}

/** Unfollows a user; idempotent like followUser. */
export async function unfollowUser(
  deps: FollowDeps,
  cmd: { followerId: string; followeeId: string; correlationId?: string },
): Promise<FollowState> {
  await followee(deps, cmd);
  if (await deactivateFollow(deps.follows, cmd)) {
    await incrementFollowCounts(deps.users, { ...cmd, delta: -1 });
    deps.outbox.kick();
    deps.log.info('user unfollowed', { followeeId: cmd.followeeId });
  }
  return { following: false, followers: await followersOf(deps, cmd.followeeId) };
}
