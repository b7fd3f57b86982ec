export * from './contract';
export * from './event-types';
export * from './integration-event';
export * from './schemas';
export * from './topology';
export * from './handlers';
export { EventBusClosedError, EventPublishError } from './errors';
export { ATTEMPT_HEADER, DEFAULT_PREFETCH, type RetryOptions, type RunInContext } from './consumer';
export type { ReconnectOptions } from './connection';
export type { ConsumeOutcome } from './metrics';
export {
  createEventBus,
  eventBusSettings,
  pingEventBus,
  DEFAULT_RECONNECT,
  DEFAULT_RETRY,
  type EventBus,
  type EventBusOptions,
} from './event-bus';
