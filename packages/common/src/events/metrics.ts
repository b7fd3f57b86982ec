import { Counter, type Registry } from 'prom-client';

export type ConsumeOutcome = 'ok' | 'retry' | 'dead';

export interface EventMetrics {
  published(type: string): void;
  publishFailed(type: string): void;
  consumed(queue: string, type: string, outcome: ConsumeOutcome): void;
}

const noop: EventMetrics = { published: () => {}, publishFailed: () => {}, consumed: () => {} };

// A process may run more than one bus on one registry (publisher and consumer, or tests), and
// prom-client throws on a second registration of a name, so an existing counter is reused.
function counter<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: L[],
): Counter<L> {
  const existing = registry.getSingleMetric(name);
  // Same name, same label names: this module is the only place these counters are created.
  if (existing instanceof Counter) return existing as Counter<L>;
  return new Counter({ name, help, labelNames, registers: [registry] });
}

export function createEventMetrics(registry?: Registry): EventMetrics {
  if (!registry) return noop;
  const published = counter(registry, 'events_published_total', 'Events confirmed by the broker', ['type']);
  const failed = counter(registry, 'events_publish_failed_total', 'Event publishes that failed', ['type']);
  const consumed = counter(registry, 'events_consumed_total', 'Events consumed, by outcome', [
    'queue',
    'type',
    'outcome',
  ]);
  return {
    published: (type) => published.inc({ type }),
    publishFailed: (type) => failed.inc({ type }),
    consumed: (queue, type, outcome) => consumed.inc({ queue, type, outcome }),
  };
}
