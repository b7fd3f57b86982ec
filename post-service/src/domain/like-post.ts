import { NotFoundError } from '@social/common/http';
import { insertLike, removeLike } from '../models/like.model';
import { beginEngagementChange, finishEngagementChange } from '../models/post-engagement.model';
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
 * like, or a racing one, answers the same and changes nothing. The count moves in a change bracketed on the post
 * (post-engagement.model.ts), so one that fails half-way is recounted later rather than left off by one.
 */
export async function likePost(deps: LikeDeps, cmd: { postId: string; userId: string }): Promise<LikeState> {
  if (!(await beginEngagementChange(deps.posts, { postId: cmd.postId, visibleOnly: true })))
    throw postNotFound();
  const inserted = await insertLike(deps.likes, cmd);
  const counts = await finishEngagementChange(deps.posts, {
    postId: cmd.postId,
    change: inserted ? { likeCount: 1 } : {},
    visibleOnly: true,
  });
  if (!counts) {
    // The post was deleted meanwhile, and its likes may already be swept: take this one back so nothing is
    // left pointing at it.
    if (inserted) await removeLike(deps.likes, cmd);
    throw postNotFound();
  }
  // Even when this call moved nothing: a like that failed after storing its edge left the cache unaware of it.
  await deps.engagementCache.changed({ postId: cmd.postId, likedBy: cmd.userId }); // fail-soft
  return { liked: true, likeCount: counts.likeCount };
}

/** Unlikes a post; idempotent like likePost. */
export async function unlikePost(
  deps: LikeDeps,
  cmd: { postId: string; userId: string },
): Promise<LikeState> {
  if (!(await beginEngagementChange(deps.posts, { postId: cmd.postId, visibleOnly: true })))
    throw postNotFound();
  const removed = await removeLike(deps.likes, cmd);
  // The edge is gone, so the count drops even if the post was deleted meanwhile (it goes with the post).
  const counts = await finishEngagementChange(deps.posts, {
    postId: cmd.postId,
    change: removed ? { likeCount: -1 } : {},
    visibleOnly: false,
  });
  await deps.engagementCache.changed({ postId: cmd.postId, likedBy: cmd.userId }); // fail-soft, as in likePost
  return { liked: false, likeCount: counts?.likeCount ?? 0 };
}
