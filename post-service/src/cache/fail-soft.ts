import type { Logger } from '@social/common/logger';
import { counter, type Registry } from '@social/common/metrics';

/** The failure counters: one for posts and their engagement, one for home feeds. */
export const postCacheErrors = {
  name: 'post_cache_errors_total',
  help: 'Redis operations that failed; the request was served from MongoDB',
};
export const feedCacheErrors = {
  name: 'feed_cache_errors_total',
  help: 'Feed operations on Redis that failed; reads were served from MongoDB',
};

/** Runs one Redis operation of a cache; a failure answers undefined (the caller serves from MongoDB). */
export type Attempt = <T>(op: string, fn: () => Promise<T>) => Promise<T | undefined>;

/**
 * The fail-soft rule every post-service cache follows: Redis is an optimisation, so a failure is counted every
 * time (`errors{op}`) but warned once per outage (`unavailable`), and the first success after
 * it is logged (`available`), instead of one log line per request while Redis is away.
 */
export function failSoft(opts: {
  log: Logger;
  registry: Registry;
  /** The counter of failures, by `op`. */
  errors: { name: string; help: string };
  messages: { unavailable: string; available: string };
}): Attempt {
  const failures = counter(opts.registry, { ...opts.errors, labelNames: ['op'] as const });
  let degraded = false;
  return async (op, fn) => {
    try {
      const result = await fn();
      if (degraded) opts.log.info(opts.messages.available);
      degraded = false;
      return result;
    } catch (err) {
      failures.inc({ op });
      if (!degraded) opts.log.warn(opts.messages.unavailable, { op, err });
      degraded = true;
      return undefined;
    }
  };
}
