import { isEventType, type EventOf, type EventType, type IntegrationEvent } from './event-types';

export interface HandlerContext {
  correlationId?: string;
  messageId?: string;
  /** 1 on the first delivery, counting retries. */
  attempt: number;
}

/** Resolve to ack; throw to retry. A handler never acks, nacks or swallows errors itself. */
export type IntegrationEventHandler<E extends IntegrationEvent = IntegrationEvent> = (
  event: E,
  ctx: HandlerContext,
) => Promise<void>;

/** One handler per event type; the keys are also the queue's bindings. */
export type SubscriptionHandlers = { [K in EventType]?: IntegrationEventHandler<EventOf<K>> };

export interface Subscription {
  /** Durable queue named `<service>.<purpose>`. */
  queue: string;
  handlers: SubscriptionHandlers;
  /** Unacked messages in flight for this queue (default 10). */
  prefetch?: number;
}

// isEventType also drops keys a caller without types might pass, so they never become bindings.
export const subscribedTypes = (handlers: SubscriptionHandlers): EventType[] =>
  Object.keys(handlers)
    .filter(isEventType)
    .filter((type) => handlers[type] !== undefined);

export function handlerFor<K extends EventType>(
  handlers: SubscriptionHandlers,
  type: K,
): IntegrationEventHandler<EventOf<K>> | undefined {
  return handlers[type];
}
