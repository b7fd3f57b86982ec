import { deleteCommentById, deleteCommentsOfPost, findCommentsOf } from '../models/comment.model';
import { deleteLikesOfPost, findLikesOf, removeLike } from '../models/like.model';
import { beginEngagementChange, finishEngagementChange } from '../models/post-engagement.model';
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
 * Removes an edge of a post and drops the post's counter with it, in a change bracketed on the post: a failure
 * between the two leaves the post to be recounted. A post already gone keeps nothing to count. True when this
 * call removed the edge.
 */
async function removeCounted(
  posts: EngagementDeps['posts'],
  postId: string,
  counter: 'likeCount' | 'commentCount',
  remove: () => Promise<boolean>,
): Promise<boolean> {
  const began = await beginEngagementChange(posts, { postId, visibleOnly: false });
  const removed = await remove();
  if (began) {
    await finishEngagementChange(posts, {
      postId,
      change: removed ? { [counter]: -1 } : {},
      visibleOnly: false,
    });
  }
  return removed;
}

/**
 * Removes everything a deleted user left on posts: their likes and their comments, each dropping the post's
 * counter once. Idempotent and safe to run again after a crash half-way (an event redelivered): only the call
 * that removed an edge moves a counter, so nothing is counted twice, and a post whose counter a crash left
 * behind is recounted.
 */
export async function removeUserEngagement(
  deps: EngagementDeps,
  cmd: { userId: string },
): Promise<RemovedEngagement> {
  const removed = { likes: 0, comments: 0 };
  for (;;) {
    const likes = await findLikesOf(deps.likes, cmd.userId, BATCH);
    removed.likes += await countRemoved(likes, async (like) => {
      if (!(await removeCounted(deps.posts, like.postId, 'likeCount', () => removeLike(deps.likes, like)))) {
        return false;
      }
      await deps.engagementCache.changed({ postId: like.postId, likedBy: cmd.userId });
      return true;
    });
    if (likes.length < BATCH) break;
  }
  for (;;) {
    const comments = await findCommentsOf(deps.comments, cmd.userId, BATCH);
    removed.comments += await countRemoved(comments, async (comment) => {
      const remove = () => deleteCommentById(deps.comments, comment.id);
      if (!(await removeCounted(deps.posts, comment.postId, 'commentCount', remove))) return false;
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
