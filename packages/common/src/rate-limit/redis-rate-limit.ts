import type { Request, RequestHandler, Response } from 'express';
import {
  ipKeyGenerator,
  rateLimit,
  type AugmentedRequest,
  type RateLimitInfo,
  type Store,
} from 'express-rate-limit';
import { sendError, TooManyRequestsError } from '../http';
import type { Logger } from '../logger';
import type { Redis } from '../redis';
import { ResilientRedisStore } from './resilient-redis-store';

export interface RedisRateLimitOptions {
  redis: Redis;
  /** Key prefix in Redis, e.g. `rl:ip:` (after the client's own keyPrefix, if it has one). */
  prefix: string;
  windowMs: number;
  limit: number;
  keyGenerator: (req: Request) => string;
  log: Logger;
  /** Each store call that failed, i.e. a request let through uncounted: count it in /metrics. */
  onStoreError?: () => void;
  /** Runs before the 429 is sent (metrics, a log line). */
  onLimited?: (req: Request, res: Response) => void;
  message?: string;
  /**
   * `always` (default): every answer carries this limiter's draft-7 `RateLimit` headers. `when-limited`: only
   * its 429 does, so a second limiter on the same route leaves the first one's headers standing (draft-7 has
   * room for one policy).
   */
  headers?: 'always' | 'when-limited';
  /** Another store than a `ResilientRedisStore` on `redis` under `prefix` (see pairedRedisLimits). */
  store?: Store;
}

// ipKeyGenerator parses every IPv6 address (an IPv4 client on a dual-stack listener is one, ::ffff:a.b.c.d) with
// ip-address, twice: 3% of the gateway's CPU. A client sends many requests; remember the last few thousand.
const IP_KEYS_MAX = 4096;
const ipKeys = new Map<string, string>();

/** The client's address, IPv6 grouped by /56 so rotating addresses inside one allocation does not help. */
export const clientIp = (req: Request): string => {
  const ip = req.ip ?? req.socket.remoteAddress ?? 'unknown';
  let key = ipKeys.get(ip);
  if (key === undefined) {
    key = ipKeyGenerator(ip);
    if (ipKeys.size >= IP_KEYS_MAX) ipKeys.clear();
    ipKeys.set(ip, key);
  }
  return key;
};

/** What `standardHeaders: 'draft-7'` and express-rate-limit's own Retry-After would have sent. */
function setLimitedHeaders(res: Response, info: RateLimitInfo, windowMs: number): void {
  const resetSeconds = Math.max(
    0,
    Math.ceil(((info.resetTime?.getTime() ?? Date.now() + windowMs) - Date.now()) / 1000),
  );
  res.setHeader('RateLimit-Policy', `${info.limit};w=${Math.ceil(windowMs / 1000)}`);
  res.setHeader('RateLimit', `limit=${info.limit}, remaining=${info.remaining}, reset=${resetSeconds}`);
  res.setHeader('Retry-After', String(resetSeconds));
}

/**
 * A limiter whose counters live in Redis, so every replica counts together. It answers 429 in the common error
 * shape with draft-7 `RateLimit-*` headers and `Retry-After`. A Redis outage fails open: the request is served,
 * logged and counted, because refusing all traffic is worse than briefly not limiting it.
 */
export function redisRateLimit(options: RedisRateLimitOptions): RequestHandler {
  const { log } = options;
  const quietUntilLimited = options.headers === 'when-limited';
  return rateLimit({
    windowMs: options.windowMs,
    limit: options.limit,
    standardHeaders: quietUntilLimited ? false : 'draft-7',
    legacyHeaders: false,
    passOnStoreError: true,
    store:
      options.store ?? new ResilientRedisStore(options.redis, options.prefix, () => options.onStoreError?.()),
    keyGenerator: options.keyGenerator,
    logger: {
      warn: (err: unknown, detail?: string) => log.warn('rate limiter warning', { err, detail }),
      error: (err: unknown, detail?: string) => log.warn('rate limiter degraded', { err, detail }),
    },
    handler: (req, res, _next, used) => {
      const info = (req as AugmentedRequest)[used.requestPropertyName];
      if (quietUntilLimited && info) setLimitedHeaders(res, info, used.windowMs);
      options.onLimited?.(req, res);
      sendError(res, new TooManyRequestsError(options.message));
    },
  });
}
