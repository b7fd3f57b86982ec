import { deleteCommentById, deleteCommentsOfPost, findCommentsOf } from '../models/comment.model';
import { deleteLikesOfPost, findLikesOf, removeLike } from '../models/like.model';
import { changeEngagementCounts } from '../models/post-engagement.model';
import type { EngagementDeps } from './engagement';

const BATCH = 500;

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
    for (const like of likes) {
      if (await removeLike(deps.likes, like)) {
        removed.likes++;
        await changeEngagementCounts(deps.posts, {
          postId: like.postId,
          change: { likeCount: -1 },
          visibleOnly: false,
        });
      }
    }
    if (likes.length < BATCH) break;
  }
  for (;;) {
    const comments = await findCommentsOf(deps.comments, cmd.userId, BATCH);
    for (const comment of comments) {
      if (await deleteCommentById(deps.comments, comment.id)) {
        removed.comments++;
        await changeEngagementCounts(deps.posts, {
          postId: comment.postId,
          change: { commentCount: -1 },
          visibleOnly: false,
        });
      }
    }
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
