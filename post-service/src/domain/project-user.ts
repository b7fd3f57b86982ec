import type { AuthorCache } from '../cache/author-cache';
import type { FeedStore } from '../cache/feed-store';
import type { FollowingCache } from '../cache/following-cache';
import { isDeletedAuthor, tombstoneAuthor, upsertAuthor, type AuthorModel } from '../models/author.model';
import { applyFollowTransition, deleteEdgesOf, type FollowEdgeModel } from '../models/follow-edge.model';

export interface ProjectUserDeps {
  authors: AuthorModel;
  /** Forgets an author as soon as their projection is written here. */
  authorCache: AuthorCache;
  follows: FollowEdgeModel;
  feeds: FeedStore;
  following: FollowingCache;
}

/** user.registered / user.updated: the author as posts show it, unless a newer profile is already stored. */
export async function projectAuthor(
  deps: Pick<ProjectUserDeps, 'authors' | 'authorCache'>,
  profile: { userId: string; username: string; displayName: string; occurredAt: string },
): Promise<boolean> {
  const changed = await upsertAuthor(deps.authors, {
    userId: profile.userId,
    username: profile.username,
    displayName: profile.displayName,
    version: new Date(profile.occurredAt),
  });
  if (changed) deps.authorCache.forget([profile.userId]);
  return changed;
}

/**
 * user.followed / user.unfollowed: the edge as of `at`. MongoDB holds the graph; Redis only drops the follower's
 * cached followee list (fail-soft), so the projection works while Redis is away. Home feeds catch up on their
 * own: a read filters by the current edges (an unfollowed author is gone at once) and rebuilds a feed built
 * before the newest follow was stored (the followee's earlier posts appear).
 */
export async function projectFollow(
  deps: Pick<ProjectUserDeps, 'authors' | 'follows' | 'following'>,
  edge: { followerId: string; followeeId: string; active: boolean; at: string },
): Promise<'applied' | 'stale' | 'deleted-user'> {
  const [followerGone, followeeGone] = await Promise.all([
    isDeletedAuthor(deps.authors, edge.followerId),
    isDeletedAuthor(deps.authors, edge.followeeId),
  ]);
  // A late event about a deleted account must not bring an edge back.
  if (followerGone || followeeGone) return 'deleted-user';
  const changed = await applyFollowTransition(deps.follows, { ...edge, at: new Date(edge.at) });
  // Even when this copy changed nothing: an earlier delivery may have stored the edge and failed before this.
  await deps.following.forget([edge.followerId]);
  return changed ? 'applied' : 'stale';
}

/** A deleted account's author record becomes a tombstone (first, so late events for it stop here). */
export async function forgetAuthor(
  deps: Pick<ProjectUserDeps, 'authors' | 'authorCache'>,
  userId: string,
): Promise<void> {
  await tombstoneAuthor(deps.authors, userId);
  deps.authorCache.forget([userId]);
}

/** A deleted account's follow edges go, both directions. */
export async function forgetFollowEdges(
  deps: Pick<ProjectUserDeps, 'follows'>,
  userId: string,
): Promise<number> {
  return deleteEdgesOf(deps.follows, userId);
}

/** A deleted account's home feed and followee list leave Redis. */
export async function forgetFeed(
  deps: Pick<ProjectUserDeps, 'feeds' | 'following'>,
  userId: string,
): Promise<void> {
  await Promise.all([deps.feeds.invalidate([userId]), deps.following.forget([userId])]);
}
