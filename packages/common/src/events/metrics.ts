import { EVENT_LAG_BUCKETS_SECONDS, counter, histogram, type Registry } from '../metrics';

export type ConsumeOutcome = 'ok' | 'retry' | 'dead';

export interface EventMetrics {
  published(type: string): void;
  publishFailed(type: string): void;
  consumed(queue: string, type: string, outcome: ConsumeOutcome): void;
  /** A well-formed event reached a consumer: how old it is then (now - occurredAt). */
  delivered(queue: string, type: string, occurredAt: string): void;
}

const noop: EventMetrics = {
  published: () => {},
  publishFailed: () => {},
  consumed: () => {},
  delivered: () => {},
};

export function createEventMetrics(registry?: Registry): EventMetrics {
  if (!registry) return noop;
  // A process may run more than one bus on one registry (publisher and consumer, or tests): counter() reuses.
  const published = counter(registry, {
    name: 'events_published_total',
    help: 'Events confirmed by the broker',
    labelNames: ['type'],
  });
  const failed = counter(registry, {
    name: 'events_publish_failed_total',
    help: 'Event publishes that failed',
    labelNames: ['type'],
  });
  const consumed = counter(registry, {
    name: 'events_consumed_total',
    help: 'Events consumed, by outcome',
    labelNames: ['queue', 'type', 'outcome'],
  });
  // Between the outbox's confirm and a handler's effect: broker routing, queueing behind prefetch, redelivery.
  const deliveryLag = histogram(registry, {
    name: 'events_delivery_lag_seconds',
    help: 'Age of an event (now - occurredAt) when it reached the consumer, before its handler ran',
    labelNames: ['queue', 'type'],
    buckets: [...EVENT_LAG_BUCKETS_SECONDS],
  });
  return {
    delivered: (queue, type, occurredAt) => {
      const at = Date.parse(occurredAt);
      if (Number.isFinite(at)) deliveryLag.observe({ queue, type }, Math.max(0, Date.now() - at) / 1000);
    },
    published: (type) => published.inc({ type }),
    publishFailed: (type) => failed.inc({ type }),
    consumed: (queue, type, outcome) => consumed.inc({ queue, type, outcome }),
  };
}
