import type { EventBus } from '@social/common/events';
import type { Logger } from '@social/common/logger';
import type { Registry } from '@social/common/metrics';
import { createOutboxRelay as createRelay, type OutboxRelay } from '@social/common/outbox';
import { createPostOutboxStore, type PostModel } from '../models/post.model';

export type { Outbox, OutboxRelay } from '@social/common/outbox';

export interface OutboxRelayOptions {
  posts: PostModel;
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
 * A confirmed post.deleted removes its soft-deleted post.
 */
export function createOutboxRelay(opts: OutboxRelayOptions): OutboxRelay {
  const { posts, bus, ...relay } = opts;
  return createRelay({
    ...relay,
    store: createPostOutboxStore(posts),
    publish: (event) => bus.publish(event),
  });
}
