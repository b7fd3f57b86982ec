import type { EventBus } from '@social/common/events';
import type { Logger } from '@social/common/logger';
import type { Registry } from '@social/common/metrics';
import {
  combineOutboxStores,
  createOutboxRelay as createRelay,
  type OutboxRelay,
} from '@social/common/outbox';
import { createFollowOutboxStore, type FollowModel } from '../models/follow.model';
import { createUserOutboxStore, type UserModel } from '../models/user.model';

export type { OutboxRelay } from '@social/common/outbox';

export interface OutboxRelayOptions {
  users: UserModel;
  follows: FollowModel;
  bus: Pick<EventBus, 'publish'>;
  log: Logger;
  registry: Registry;
  intervalMs: number;
  batchSize: number;
  claimTtlMs?: number;
  owner?: string;
}

/**
 * Publishes identity's events through common's relay: user.* events stored in the user's document, follow
 * events in the edge's. One relay over both collections, with a lease per document, so N replicas publish
 * each event once (at-least-once when a replica dies mid-publish). A confirmed user.deleted removes its account.
 */
export function createOutboxRelay(opts: OutboxRelayOptions): OutboxRelay {
  const { users, follows, bus, ...relay } = opts;
  return createRelay({
    ...relay,
    store: combineOutboxStores({
      users: createUserOutboxStore(users),
      follows: createFollowOutboxStore(follows),
    }),
    publish: (event) => bus.publish(event),
  });
}
