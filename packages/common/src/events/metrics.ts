import { counter, type Registry } from '../metrics';

export type ConsumeOutcome = 'ok' | 'retry' | 'dead';

export interface EventMetrics {
  published(type: string): void;
  publishFailed(type: string): void;
  consumed(queue: string, type: string, outcome: ConsumeOutcome): void;
}

const noop: EventMetrics = { published: () => {}, publishFailed: () => {}, consumed: () => {} };

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
  return {
    published: (type) => published.inc({ type }),
    publishFailed: (type) => failed.inc({ type }),
    consumed: (queue, type, outcome) => consumed.inc({ queue, type, outcome }),
  };
}
