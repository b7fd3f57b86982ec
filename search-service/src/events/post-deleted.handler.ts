import type { IntegrationEventHandler, PostDeletedEvent } from '@social/common/events';
import type { SearchDeps } from '../domain/deps';
import { forgetPost } from '../domain/forget-post';

/** Returns to ack, throws to retry; running it twice leaves the same state. */
export const handlePostDeleted =
  (deps: SearchDeps): IntegrationEventHandler<PostDeletedEvent> =>
  async (event) => {
    await forgetPost(deps, event.data.postId);
    deps.eventMetrics.observeLag(event);
    deps.log.info('post removed from search', { postId: event.data.postId, eventId: event.id });
  };
