import type { IntegrationEventHandler, PostDeletedEvent } from '@social/common/events';
import { deletePostMedia, type DeletePostMediaDeps } from '../domain/delete-post-media';

/** Resolves to ack; a failure throws, and the common consumer retries, then dead-letters. */
export const handlePostDeleted =
  (deps: DeletePostMediaDeps): IntegrationEventHandler<PostDeletedEvent> =>
  async ({ data }) => {
    await deletePostMedia(deps, { postId: data.postId, userId: data.userId, mediaIds: data.mediaIds });
  };
