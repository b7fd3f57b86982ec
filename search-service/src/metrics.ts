import type { IntegrationEvent } from '@social/common/events';
import { EVENT_LAG_BUCKETS_SECONDS, counter, histogram, type Registry } from '@social/common/metrics';

/**
 * What the consumer adds to the bus's own counters (events_consumed_total by queue, type and outcome
 * ok/retry/dead): how far behind the index runs, and how many events changed nothing.
 */
export interface SearchEventMetrics {
  /** now − the event's occurredAt, once its effect is stored. */
  observeLag(event: IntegrationEvent): void;
  /** A post.created that arrived after its post.deleted. */
  countAlreadyDeleted(): void;
}

export function createSearchEventMetrics(registry: Registry): SearchEventMetrics {
  const lag = histogram(registry, {
    name: 'search_event_lag_seconds',
    help: 'Time from an event occurring to its effect being searchable (now - occurredAt)',
    labelNames: ['type'] as const,
    buckets: [...EVENT_LAG_BUCKETS_SECONDS],
  });
  const alreadyDeleted = counter(registry, {
    name: 'search_post_created_after_delete_total',
    help: 'post.created events ignored because the post had been deleted already',
  });
  return {
    observeLag: (event) => {
      const occurredAt = Date.parse(event.occurredAt);
      if (Number.isFinite(occurredAt))
        lag.observe({ type: event.type }, Math.max(0, Date.now() - occurredAt) / 1000);
    },
    countAlreadyDeleted: () => alreadyDeleted.inc(),
  };
}
