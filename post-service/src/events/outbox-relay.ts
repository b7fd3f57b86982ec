import type { EventBus } from '@social/common/events';
import type { Logger } from '@social/common/logger';
import type { Registry } from '@social/common/metrics';
import { EventTypes } from '@social/common/events';
import {
  createOutboxRelay as createRelay,
  type Outbox as CommonOutbox,
  type OutboxRelay as CommonOutboxRelay,
  type OutboxStore,
} from '@social/common/outbox';
import { removePostEngagement } from '../domain/remove-engagement';
import type { CommentModel } from '../models/comment.model';
import type { LikeModel } from '../models/like.model';
import { createPostOutboxStore, type PostDoc, type PostModel } from '../models/post.model';

/** A kick names the post just written, so its events go out without waiting for a pass. */
export type Outbox = CommonOutbox<PostDoc['_id']>;
export type OutboxRelay = CommonOutboxRelay<PostDoc['_id']>;

export interface OutboxRelayOptions {
  posts: PostModel;
  /** A deleted post's likes and comments go right before the post document does. */
  likes: LikeModel;
  comments: CommentModel;
  bus: Pick<EventBus, 'publish'>;
  log: Logger;
  registry: Registry;
  intervalMs: number;
  /** Posts handled per pass, so one pass stays bounded; a full batch schedules the next pass at once. */
  batchSize: number;
  /** A post's lease while one replica publishes its events (default: common's); > 2 × the publish timeout. */
  claimTtlMs?: number;
  /** This replica's name in leases and logs (default: host, pid and a random suffix). */
  owner?: string;
}

/**
 * Publishes the events stored on posts (transactional outbox) through common's relay: every replica runs one,
 * and a lease per post makes each event go out once (at-least-once when a replica dies mid-publish).
 * A confirmed post.deleted removes its soft-deleted post, and its likes and comments just before.
 */
export function createOutboxRelay(opts: OutboxRelayOptions): OutboxRelay {
  const { posts, likes, comments, bus, ...relay } = opts;
  return createRelay({
    ...relay,
    store: sweepingEngagement(createPostOutboxStore(posts), { likes, comments }),
    publish: (event) => bus.publish(event),
  });
}

/**
 * Sweeps a post's likes and comments when its post.deleted is confirmed, before the store removes the post:
 * should the sweep fail or the process die, the event stays pending and the next pass repeats both (the sweep is
 * idempotent), so nothing is left pointing at a post that no longer exists.
 */
function sweepingEngagement<Id extends { toHexString(): string }>(
  store: OutboxStore<Id>,
  deps: { likes: LikeModel; comments: CommentModel },
): OutboxStore<Id> {
  return {
    ...store,
    async confirmed(id, event, lease) {
      if (event.type === EventTypes.PostDeleted)
        await removePostEngagement(deps, { postId: id.toHexString() });
      return store.confirmed(id, event, lease);
    },
  };
}
