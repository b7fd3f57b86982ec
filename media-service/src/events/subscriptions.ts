import { EventTypes, type Subscription } from '@social/common/events';
import type { Registry } from '@social/common/metrics';
import type { DeletePostMediaDeps } from '../domain/delete-post-media';
import { createMediaMetrics } from '../metrics';
import { handlePostDeleted } from './post-deleted.handler';
import { handleUserDeleted } from './user-deleted.handler';

export const DEFAULT_POST_DELETED_QUEUE = 'media-service.post-deleted';
export const DEFAULT_USER_DELETED_QUEUE = 'media-service.user-deleted';

/**
 * Everything media-service listens to: a deleted post's media, and all media of a deleted account, each on a
 * queue of its own (so one busy account's cleanup never holds up another post's).
 */
export function mediaSubscriptions(
  deps: Omit<DeletePostMediaDeps, 'onDeleted'> & {
    registry: Registry;
    queues?: { postDeleted?: string; userDeleted?: string };
  },
): Subscription[] {
  const handlerDeps = { ...deps, onDeleted: createMediaMetrics(deps.registry).deleted };
  return [
    {
      queue: deps.queues?.postDeleted ?? DEFAULT_POST_DELETED_QUEUE,
      handlers: { [EventTypes.PostDeleted]: handlePostDeleted(handlerDeps) },
    },
    {
      queue: deps.queues?.userDeleted ?? DEFAULT_USER_DELETED_QUEUE,
      handlers: { [EventTypes.UserDeleted]: handleUserDeleted(handlerDeps) },
    },
  ];
}
