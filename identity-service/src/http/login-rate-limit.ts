import { createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from '@social/common/logger';
import { clientIp, redisRateLimit } from '@social/common/rate-limit';
import type { Redis } from '@social/common/redis';
import type { AuthMetrics } from '../auth-metrics';

export interface LoginRateLimitOptions {
  redis: Redis;
  log: Logger;
  authMetrics: AuthMetrics;
  windowMs: number;
  max: number;
}

/** The email is hashed so Redis never holds addresses; an unparsable body still gets a per-IP bucket. */
function loginKey(ipBucket: string, body: unknown): string {
  const raw = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).email : undefined;
  const email = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
  const emailHash = createHash('sha256').update(email).digest('base64url').slice(0, 22);
  return `${ipBucket}:${emailHash}`;
}

/**
 * Per email + client IP brute-force limit on login, shared through Redis by every replica. When Redis is down
 * it fails open (logged and counted): login stays available and argon2 still bounds the guessing rate.
 */
export function loginRateLimit(options: LoginRateLimitOptions): RequestHandler {
  const { redis, log, authMetrics } = options;
  return redisRateLimit({
    redis,
    log,
    prefix: 'rl:login:',
    windowMs: options.windowMs,
    limit: options.max,
    keyGenerator: (req) => loginKey(clientIp(req), req.body),
    onStoreError: () => authMetrics.rateLimitStoreErrors.inc(),
    onLimited: () => {
      authMetrics.logins.inc({ outcome: 'rate_limited' });
      log.warn('login rate limit exceeded');
    },
    message: 'Too many login attempts, please try again later',
  });
}
