export {
  createOutboxRelay,
  DEFAULT_CLAIM_TTL_MS,
  type Outbox,
  type OutboxRelay,
  type OutboxRelayOptions,
} from './outbox-relay';
export type { ConfirmOutcome, OutboxLease, OutboxStore } from './outbox-store';
export {
  createMongoOutboxStore,
  outboxPlugin,
  withoutOutboxFields,
  type MongoOutboxStoreOptions,
  type OutboxClaim,
  type OutboxFields,
} from './mongo-outbox-store';
export { combineOutboxStores, type CombinedId } from './combined-store';
