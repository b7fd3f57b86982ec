import { EventTypes, type Subscription } from '@social/common/events';
import { Counter, type Registry } from '@social/common/metrics';
import type { DeletePostMediaDeps } from '../domain/delete-post-media';
import { handlePostDeleted } from './post-deleted.handler';

export const DEFAULT_POST_DELETED_QUEUE = 'media-service.post-deleted';

/** Everything media-service listens to. */
export function postDeletedSubscription(
  deps: Omit<DeletePostMediaDeps, 'onDeleted'> & { registry: Registry; queue?: string },
): Subscription {
  const deleted = new Counter({
    name: 'media_deleted_total',
    help: 'Media removed from storage and MongoDB after post.deleted',
    registers: [deps.registry],
  });
  return {
    queue: deps.queue ?? DEFAULT_POST_DELETED_QUEUE,
    handlers: {
      [EventTypes.PostDeleted]: handlePostDeleted({ ...deps, onDeleted: (count) => deleted.inc(count) }),
    },
  };
}
