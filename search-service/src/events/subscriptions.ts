import { EventTypes, type Subscription } from '@social/common/events';
import type { SearchDeps } from '../domain/deps';
import { handlePostCreated } from './post-created.handler';
import { handlePostDeleted } from './post-deleted.handler';
import { handleUserDeleted } from './user-deleted.handler';

export interface PostEventsOptions {
  /** Durable queue, `search-service.post-events` by default; its dead letters go to `<queue>.dlq`. */
  queue: string;
  prefetch: number;
}

/** Everything search-service listens to; the handler keys are also the queue's bindings. */
export const postEvents = (deps: SearchDeps, opts: PostEventsOptions): Subscription => ({
  queue: opts.queue,
  prefetch: opts.prefetch,
  handlers: {
    [EventTypes.PostCreated]: handlePostCreated(deps),
    [EventTypes.PostDeleted]: handlePostDeleted(deps),
    [EventTypes.UserDeleted]: handleUserDeleted(deps),
  },
});
