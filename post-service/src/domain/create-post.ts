import type { Logger } from '@social/common/logger';
import type { PostCache } from '../cache/post-cache';
import type { Outbox } from '../events/outbox-relay';
import { insertPostWithEvent, toPostDto, type PostDto, type PostModel } from '../models/post.model';

export interface CreatePostDeps {
  posts: PostModel;
  cache: PostCache;
  outbox: Outbox;
  log: Logger;
}

export async function createPost(
  deps: CreatePostDeps,
  cmd: { userId: string; content: string; mediaIds: string[]; correlationId: string },
): Promise<PostDto> {
  const post = await insertPostWithEvent(deps.posts, cmd); // post + pending post.created, one write
  await deps.cache.postCreated(); // fail-soft inside the cache module
  deps.outbox.kick(); // publish now; the interval catches the rest
  deps.log.info('post created', { postId: post._id.toHexString(), mediaCount: post.mediaIds.length });
  return toPostDto(post);
}
