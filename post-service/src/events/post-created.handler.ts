import type { IntegrationEventHandler, PostCreatedEvent } from '@social/common/events';
import { fanOutPost, type FanOutPostDeps } from '../domain/fan-out-post';
import type { FeedMetrics } from '../metrics';

/**
 * Fan-out runs from post.created, not inside create-post: the outbox guarantees it happens (a crash after the
 * insert cannot lose it), replicas share the work, and the request does not wait for thousands of Redis writes.
 * The relay publishes right after the insert, so followers see the post well within a second. Throws to retry.
 */
export const handlePostCreated =
  (deps: FanOutPostDeps & { feedMetrics: FeedMetrics }): IntegrationEventHandler<PostCreatedEvent> =>
  async ({ data }) => {
    const mode = await fanOutPost(deps, {
      postId: data.postId,
      userId: data.userId,
      createdAt: data.createdAt,
    });
    deps.feedMetrics.observeFanOut(mode, data.createdAt);
  };
