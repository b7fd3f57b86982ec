import { ValidationError } from '@social/common/http';
import type { Logger } from '@social/common/logger';
import type { PostCache } from '../cache/post-cache';
import type { MediaClient } from '@social/common/clients';
import type { Outbox } from '../events/outbox-relay';
import { seedAuthor, type AuthorModel } from '../models/author.model';
import {
  insertPostWithEvent,
  toPostDto,
  type PostDto,
  type PostMedia,
  type PostModel,
} from '../models/post.model';

export interface CreatePostDeps {
  posts: PostModel;
  cache: PostCache;
  outbox: Outbox;
  log: Logger;
  media: MediaClient;
  authors: AuthorModel;
}

export interface CreatePostCommand {
  userId: string;
  /** From the access token: the author's name until identity's profile event reaches the projection. */
  username: string;
  content: string;
  mediaIds: string[];
  /** The author's own access token: media-service is asked as the author, so it answers only with theirs. */
  accessToken: string;
  correlationId: string;
}

export async function createPost(deps: CreatePostDeps, cmd: CreatePostCommand): Promise<PostDto> {
  const media = await authorsOwnMedia(deps.media, cmd); // 400 naming foreign/missing ids; 503 without media-service
  const post = await insertPostWithEvent(deps.posts, {
    userId: cmd.userId,
    content: cmd.content,
    mediaIds: cmd.mediaIds,
    media,
    correlationId: cmd.correlationId,
  }); // post + pending post.created, one write
  // Publish now, beside the writes below: they are no part of the event, and each would add a round trip to
  // how long the post takes to become searchable. The interval catches whatever a kick misses.
  deps.outbox.kick(post._id);
  await seedAuthor(deps.authors, { userId: cmd.userId, username: cmd.username }); // no-op once projected
  await deps.cache.postCreated(); // fail-soft inside the cache module
  deps.log.info('post created', { postId: post._id.toHexString(), mediaCount: post.mediaIds.length });
  return toPostDto(post);
}

/**
 * The author's own, existing media for each id, in the order given, as a snapshot every reader can use. An id
 * of someone else's media gets the same answer as one that does not exist: nobody learns whether it does.
 * A post without media never calls media-service.
 */
async function authorsOwnMedia(media: MediaClient, cmd: CreatePostCommand): Promise<PostMedia[]> {
  if (cmd.mediaIds.length === 0) return [];
  const owned = await media.findOwnMedia({
    ids: cmd.mediaIds,
    accessToken: cmd.accessToken,
    requestId: cmd.correlationId,
  });
  const byId = new Map(owned.map((m) => [m.id, m]));
  const missing = cmd.mediaIds.filter((id) => !byId.has(id));
  if (missing.length > 0) {
    throw new ValidationError(
      `Media not found or not yours: ${missing.join(', ')}`,
      missing.map((id) => ({
        path: `body.mediaIds.${cmd.mediaIds.indexOf(id)}`,
        reason: `media ${id} does not exist or is not yours`,
      })),
    );
  }
  return cmd.mediaIds.flatMap((id) => {
    const found = byId.get(id);
    return found ? [{ id: found.id, url: found.url, mimeType: found.mimeType }] : [];
  });
}
