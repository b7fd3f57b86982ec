import { deleteCommentById, deleteCommentsOfPost, findCommentsOf } from '../models/comment.model';
import { deleteLikesOfPost, findLikesOf, removeLike } from '../models/like.model';
import { changeEngagementCounts } from '../models/post-engagement.model';
import type { EngagementDeps } from './engagement';

const BATCH = 500;
/** Edges removed side by side: each is its own pair, so they never contend, and the pool stays shared. */
const PARALLEL = 16;

/** Runs `fn` over `items`, at most PARALLEL at a time; resolves to how many answered true. */
async function countRemoved<T>(items: T[], fn: (item: T) => Promise<boolean>): Promise<number> {
  let removed = 0;
  for (let i = 0; i < items.length; i += PARALLEL) {
    const done = await Promise.all(items.slice(i, i + PARALLEL).map(fn));
    removed += done.filter(Boolean).length;
  }
  return removed;
}

export interface RemovedEngagement {
  likes: number;
  comments: number;
}

/**
 * Removes everything a deleted user left on posts: their likes and their comments, each dropping the post's
 * counter once. Idempotent and safe to run again after a crash half-way (an event redelivered): only the call
 * that removed an edge moves a counter, so nothing is counted twice.
 */
export async function removeUserEngagement(
  deps: EngagementDeps,
  cmd: { userId: string },
): Promise<RemovedEngagement> {
  const removed = { likes: 0, comments: 0 };
  for (;;) {
    const likes = await findLikesOf(deps.likes, cmd.userId, BATCH);
    removed.likes += await countRemoved(likes, async (like) => {
      if (!(await removeLike(deps.likes, like))) return false;
      await changeEngagementCounts(deps.posts, {
        postId: like.postId,
        change: { likeCount: -1 },
        visibleOnly: false,
      });
      await deps.engagementCache.changed({ postId: like.postId, likedBy: cmd.userId });
      return true;
    });
    if (likes.length < BATCH) break;
  }
  for (;;) {
    const comments = await findCommentsOf(deps.comments, cmd.userId, BATCH);
    removed.comments += await countRemoved(comments, async (comment) => {
      if (!(await deleteCommentById(deps.comments, comment.id))) return false;
      await changeEngagementCounts(deps.posts, {
        postId: comment.postId,
        change: { commentCount: -1 },
        visibleOnly: false,
      });
      await deps.engagementCache.changed({ postId: comment.postId });
      return true;
    });
    if (comments.length < BATCH) break;
  }
  return removed;
}

/**
 * Removes a post's likes and comments. The outbox relay runs it once post.deleted is confirmed and before the
 * post document goes, so a crash in between repeats it; no counter moves (the post is going away). A like or
 * comment racing with this finds the post deleted and takes itself back (likePost, addComment).
 */
export async function removePostEngagement(
  deps: Pick<EngagementDeps, 'likes' | 'comments'>,
  cmd: { postId: string },
): Promise<RemovedEngagement> {
  const [likes, comments] = await Promise.all([
    deleteLikesOfPost(deps.likes, cmd.postId),
    deleteCommentsOfPost(deps.comments, cmd.postId),
  ]);
  return { likes, comments };
}
