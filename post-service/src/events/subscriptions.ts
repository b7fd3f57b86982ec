import { EventTypes, type Subscription } from '@social/common/events';
import type { FanOutPostDeps } from '../domain/fan-out-post';
import type { FeedMetrics } from '../metrics';
import { handlePostCreated } from './post-created.handler';
import { handleUserDeleted, type UserDeletedDeps } from './user-deleted.handler';
import { handleUserFollow } from './user-follow.handler';
import { handleUserProfile } from './user-profile.handler';

export interface PostSubscriptionQueues {
  /** post.created → home feeds (`post-service.feed-fanout`). */
  feedFanOut: string;
  /** Author and follow-graph projections (`post-service.user-projection`). */
  userProjection: string;
  /** A deleted account's posts, edges and feed (`post-service.user-deleted`). */
  userDeleted: string;
}

/**
 * Everything post-service listens to, one queue per purpose, so a deleted account's long cleanup never holds up
 * fan-out, and the handler keys are the bindings. Profile and follow events share a queue: one consumer applies
 * them, and each is ordered by its own timestamp anyway.
 */
export const postSubscriptions = (
  deps: FanOutPostDeps & UserDeletedDeps & { feedMetrics: FeedMetrics },
  queues: PostSubscriptionQueues,
): Subscription[] => [
  { queue: queues.feedFanOut, handlers: { [EventTypes.PostCreated]: handlePostCreated(deps) } },
  {
    queue: queues.userProjection,
    handlers: {
      [EventTypes.UserRegistered]: handleUserProfile(deps),
      [EventTypes.UserUpdated]: handleUserProfile(deps),
      [EventTypes.UserFollowed]: handleUserFollow(deps),
      [EventTypes.UserUnfollowed]: handleUserFollow(deps),
    },
  },
  { queue: queues.userDeleted, handlers: { [EventTypes.UserDeleted]: handleUserDeleted(deps) } },
];
