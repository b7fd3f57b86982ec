import { NotFoundError } from '@social/common/http';
import { insertLike, removeLike } from '../models/like.model';
import { changeEngagementCounts, findVisibleCounts } from '../models/post-engagement.model';
import type { EngagementDeps } from './engagement';

type LikeDeps = Pick<EngagementDeps, 'posts' | 'likes' | 'engagementCache'>;

export interface LikeState {
  liked: boolean;
  /** The post's like count after the change. */
  likeCount: number;
}

const postNotFound = (): NotFoundError => new NotFoundError('Post not found');

/**
 * Likes a post. Idempotent: the edge (and the count with it) moves only for the call that inserted it; a second
 * like, or a racing one, answers the same and changes nothing.
 */
export async function likePost(deps: LikeDeps, cmd: { postId: string; userId: string }): Promise<LikeState> {
  const current = await findVisibleCounts(deps.posts, cmd.postId);
  if (!current) throw postNotFound();
  // Already liked (or a racing like won): nothing moved, the count read above stands.
  if (!(await insertLike(deps.likes, cmd))) return { liked: true, likeCount: current.likeCount };
  const counts = await changeEngagementCounts(deps.posts, {
    postId: cmd.postId,
    change: { likeCount: 1 },
    visibleOnly: true,
  });
  if (!counts) {
    // The post was deleted between the check and the insert, and its likes may already be swept: take this
    // one back so nothing is left pointing at it.
    await removeLike(deps.likes, cmd);
    throw postNotFound();
  }
  await deps.engagementCache.changed({ postId: cmd.postId, likedBy: cmd.userId }); // fail-soft
  return { liked: true, likeCount: counts.likeCount };
}

/** Unlikes a post; idempotent like likePost. */
export async function unlikePost(
  deps: LikeDeps,
  cmd: { postId: string; userId: string },
): Promise<LikeState> {
  const current = await findVisibleCounts(deps.posts, cmd.postId);
  if (!current) throw postNotFound();
  if (!(await removeLike(deps.likes, cmd))) return { liked: false, likeCount: current.likeCount };
  // The edge is gone, so the count drops even if the post was deleted meanwhile (it goes with the post).
  const counts = await changeEngagementCounts(deps.posts, {
    postId: cmd.postId,
    change: { likeCount: -1 },
    visibleOnly: false,
  });
  await deps.engagementCache.changed({ postId: cmd.postId, likedBy: cmd.userId }); // fail-soft
  return { liked: false, likeCount: counts?.likeCount ?? 0 };
}
