import type { Request, RequestHandler } from 'express';
import { bearerToken, verifyAccessToken, type AuthUser, type TokenConfig } from '@social/common/auth';
import type { Logger } from '@social/common/logger';
import { counter, type Counter, type Metrics } from '@social/common/metrics';
import { clientIp, pairedRedisLimits } from '@social/common/rate-limit';
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
  /** The user this request's token verified as when the per-IP limiter looked ahead (for requireAuth). */
  verifiedEarlier: (req: Request) => AuthUser | undefined;
}

type LimiterName = 'ip' | 'user';

const storeFailures = (metrics: Metrics): Counter<'limiter'> =>
  counter(metrics.registry, {
    name: 'gateway_rate_limit_store_errors_total',
    help: 'Rate-limit store (Redis) calls that failed; the request was let through unlimited',
    labelNames: ['limiter'] as const,
  });

// The user a request's bearer token names, if it verifies; requireAuth still decides (and answers 401) later.
const verifiedUser = (config: TokenConfig, req: Request): AuthUser | undefined => {
  try {
    const token = bearerToken(req.headers.authorization);
    return token ? verifyAccessToken(config, token) : undefined;
  } catch {
    return undefined;
  }
};

/**
 * The gateway's two limiters, on one shared Redis so every gateway replica counts together. A Redis outage fails
 * open: the request is served, the failure is logged and counted in /metrics. The login/register limits (per IP +
 * email, and the per-IP argon2 budget) live in identity-service, the only one that reads those bodies.
 *
 * On a route that authenticates (`needsUser`), both counters move in one Redis round trip when the per-IP limiter
 * runs: the token is verified ahead of time only to learn the user id. Each limiter still decides on its own, in
 * its place (per IP first, per user after authentication), exactly as with two calls.
 */
export function createRateLimiters(deps: {
  config: RateLimitConfig & TokenConfig;
  redis: Redis;
  log: Logger;
  metrics: Metrics;
  /** Whether the per-user limiter will run for this request (it is on a route behind authentication). */
  needsUser: (req: Request) => boolean;
}): RateLimiters {
  const { config, redis, log, needsUser } = deps;
  const failures = storeFailures(deps.metrics);
  const prefix = (name: LimiterName): string => `${config.REDIS_KEY_PREFIX}rl:${name}:`;
  const verified = new WeakMap<Request, AuthUser>();
  const lookAhead = (req: Request): string | undefined => {
    if (!needsUser(req)) return undefined;
    const user = verifiedUser(config, req);
    if (user) verified.set(req, user);
    return user?.id;
  };
  const { first, second } = pairedRedisLimits({
    redis,
    log,
    windowMs: config.RATE_LIMIT_WINDOW_MS,
    first: {
      prefix: prefix('ip'),
      limit: config.RATE_LIMIT_IP_MAX,
      keyGenerator: clientIp,
      onStoreError: () => failures.inc({ limiter: 'ip' }),
    },
    second: {
      prefix: prefix('user'),
      limit: config.RATE_LIMIT_USER_MAX,
      // Mounted after authentication; an unauthenticated request never gets here.
      keyGenerator: (req) => req.user?.id ?? `ip:${clientIp(req)}`,
      earlyKey: lookAhead,
      onStoreError: () => failures.inc({ limiter: 'user' }),
    },
  });
  return { perIp: first, perUser: second, verifiedEarlier: (req) => verified.get(req) };
}
