import type { IntegrationEventHandler, PostCreatedEvent } from '@social/common/events';
import type { SearchDeps } from '../domain/deps';
import { indexPost } from '../domain/index-post';

/** Returns to ack, throws to retry: the common consumer does retries, the DLQ and malformed input. */
export const handlePostCreated =
  (deps: SearchDeps): IntegrationEventHandler<PostCreatedEvent> =>
  async (event) => {
    const { postId, userId, content, createdAt } = event.data;
    const outcome = await indexPost(deps, { postId, userId, content, createdAt: new Date(createdAt) });
    deps.eventMetrics.observeLag(event);
    if (outcome === 'already-deleted') {
      deps.eventMetrics.countAlreadyDeleted();
      deps.log.info('post.created ignored, post already deleted', { postId, eventId: event.id });
      return;
    }
    deps.log.info('post indexed', { postId, eventId: event.id });
  };
