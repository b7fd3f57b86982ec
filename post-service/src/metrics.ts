import { counter, histogram, type Counter, type Registry } from '@social/common/metrics';

/** Feed metrics beyond the bus's own counters and the cache's lookup counters. */
export interface FeedMetrics {
  /**
   * A post reached its followers' feeds: now − its createdAt, by mode (`write`: fanned out to every follower;
   * `read`: marked for merging at read time, visible to all from then on).
   */
  observeFanOut(mode: 'write' | 'read', createdAt: string): void;
}

export function createFeedMetrics(registry: Registry): FeedMetrics {
  const lag = histogram(registry, {
    name: 'feed_fanout_lag_seconds',
    help: 'Time from a post being created to it being in every follower feed (now - createdAt)',
    labelNames: ['mode'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60],
  });
  return {
    observeFanOut: (mode, createdAt) => {
      const t = Date.parse(createdAt);
      if (Number.isFinite(t)) lag.observe({ mode }, Math.max(0, Date.now() - t) / 1000);
    },
  };
}

/** Posts whose like and comment counts were recounted after a change that did not finish. */
export const engagementRepairs = (registry: Registry): Counter =>
  counter(registry, {
    name: 'post_engagement_recounts_total',
    help: 'Posts whose likeCount/commentCount were recounted from their edges after a change that did not finish',
  });
