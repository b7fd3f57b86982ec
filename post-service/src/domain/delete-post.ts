import { NotFoundError } from '@social/common/http';
import type { Logger } from '@social/common/logger';
import type { PostCache } from '../cache/post-cache';
import type { Outbox } from '../events/outbox-relay';
import { markDeletedWithEvent, type PostModel } from '../models/post.model';

export interface DeletePostDeps {
  posts: PostModel;
  cache: PostCache;
  outbox: Outbox;
  log: Logger;
}

export async function deletePost(
  deps: DeletePostDeps,
  cmd: { postId: string; userId: string; correlationId: string },
): Promise<void> {
  // Soft-delete first: the relay hard-deletes only after post.deleted is confirmed, so a broker outage cannot lose it.
  const post = await markDeletedWithEvent(deps.posts, cmd);
  if (!post) throw new NotFoundError('Post not found'); // not the author: same answer, no existence leak
  deps.outbox.kick(post._id); // publish now; the interval catches whatever a kick misses
  await deps.cache.postDeleted(cmd.postId); // fail-soft inside the cache module
  deps.log.info('post deleted', { postId: cmd.postId, mediaCount: post.mediaIds.length });
}
