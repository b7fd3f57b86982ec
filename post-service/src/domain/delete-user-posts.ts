import { NotFoundError } from '@social/common/http';
import { findVisiblePostIdsOfUser } from '../models/post.model';
import { deletePost, type DeletePostDeps } from './delete-post';

/** Posts deleted per query, so a prolific account is worked through in bounded steps. */
const BATCH = 100;

/**
 * Deletes every post of a deleted account through the normal delete path, so each one publishes post.deleted
 * (search and media clean up as for any delete). Idempotent: a redelivery finds nothing left to delete.
 */
export async function deleteUserPosts(
  deps: DeletePostDeps,
  cmd: { userId: string; correlationId: string },
): Promise<number> {
  let deleted = 0;
  for (;;) {
    const ids = await findVisiblePostIdsOfUser(deps.posts, cmd.userId, BATCH);
    if (ids.length === 0) return deleted;
    for (const postId of ids) {
      try {
        await deletePost(deps, { postId, userId: cmd.userId, correlationId: cmd.correlationId });
        deleted += 1;
      } catch (err) {
        // Deleted meanwhile by its author or another delivery: the goal is reached.
        if (!(err instanceof NotFoundError)) throw err;
      }
    }
  }
}
