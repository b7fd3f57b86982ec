import type { RequestHandler } from 'express';
import type { Logger } from '@social/common/logger';
import { counter, type Counter, type Metrics } from '@social/common/metrics';
import { clientIp, redisRateLimit } from '@social/common/rate-limit';
import type { Redis } from '@social/common/redis';
import type { GatewayConfig } from '../config';

export type RateLimitConfig = Pick<
  GatewayConfig,
  'REDIS_KEY_PREFIX' | 'RATE_LIMIT_WINDOW_MS' | 'RATE_LIMIT_IP_MAX' | 'RATE_LIMIT_USER_MAX'
>;

export interface RateLimiters {
  /** Everything except the probes, keyed by client IP. */
  perIp: RequestHandler;
  /** After authentication, keyed by the verified user id. */
  perUser: RequestHandler;
}

type LimiterName = 'ip' | 'user';

const storeFailures = (metrics: Metrics): Counter<'limiter'> =>
  counter(metrics.registry, {
    name: 'gateway_rate_limit_store_errors_total',
    help: 'Rate-limit store (Redis) calls that failed; the request was let through unlimited',
    labelNames: ['limiter'] as const,
  });

/**
 * The gateway's two limiters, on one shared Redis so every gateway replica counts together. A Redis outage fails
 * open: the request is served, the failure is logged and counted in /metrics. The login/register limits (per IP +
 * email, and the per-IP argon2 budget) live in identity-service, the only one that reads those bodies.
 */
export function createRateLimiters(deps: {
  config: RateLimitConfig;
  redis: Redis;
  log: Logger;
  metrics: Metrics;
}): RateLimiters {
  const { config, redis, log } = deps;
  const failures = storeFailures(deps.metrics);
  const limiter = (
    name: LimiterName,
    options: {
      windowMs: number;
      limit: number;
      keyGenerator: Parameters<typeof redisRateLimit>[0]['keyGenerator'];
    },
  ): RequestHandler =>
    redisRateLimit({
      redis,
      log,
      prefix: `${config.REDIS_KEY_PREFIX}rl:${name}:`,
      onStoreError: () => failures.inc({ limiter: name }),
      ...options,
    });
  return {
    perIp: limiter('ip', {
      windowMs: config.RATE_LIMIT_WINDOW_MS,
      limit: config.RATE_LIMIT_IP_MAX,
      keyGenerator: clientIp,
    }),
    perUser: limiter('user', {
      windowMs: config.RATE_LIMIT_WINDOW_MS,
      limit: config.RATE_LIMIT_USER_MAX,
      // Mounted after authentication; an unauthenticated request never gets here.
      keyGenerator: (req) => req.user?.id ?? `ip:${clientIp(req)}`,
    }),
  };
}
