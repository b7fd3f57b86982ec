import { createHash } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import type { Logger } from '@social/common/logger';
import { clientIp, redisRateLimit } from '@social/common/rate-limit';
import type { Redis } from '@social/common/redis';
import type { AuthMetrics } from '../metrics';

export interface AuthRateLimitOptions {
  redis: Redis;
  log: Logger;
  authMetrics: AuthMetrics;
  /** Per client IP + email, shared by login and register: a guessing attack on one account. */
  perEmail: { windowMs: number; max: number };
  /** Per client IP alone: the argon2 CPU one address may spend, whatever emails it rotates through. */
  perIp: { windowMs: number; max: number };
}

export interface AuthRateLimits {
  perEmail: RequestHandler;
  perIp: RequestHandler;
}

/** The email as the account lookup sees it, hashed: Redis never holds addresses, and keys stay short. */
function emailHash(body: unknown): string {
  const raw = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).email : undefined;
  const email = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
  return createHash('sha256').update(email).digest('base64url').slice(0, 22);
}

const route = (req: Request): 'login' | 'register' | 'delete-account' =>
  req.path.endsWith('/register') ? 'register' : req.path.endsWith('/login') ? 'login' : 'delete-account';

/**
 * The two limits in front of argon2, shared through Redis by every replica. Mount `perEmail` first: an attacked
 * account gets its 429 there, before the attempt is charged to its address's `perIp` budget (which would
 * otherwise lock out everyone behind the same office NAT). A Redis outage fails open (logged and counted):
 * login stays available, and argon2 itself still bounds the guessing rate.
 */
export function authRateLimits(options: AuthRateLimitOptions): AuthRateLimits {
  const { redis, log, authMetrics } = options;
  const limited = (limiter: 'email' | 'ip') => (req: Request) => {
    const outcome = { outcome: 'rate_limited' };
    if (route(req) === 'register') authMetrics.registrations.inc(outcome);
    else if (route(req) === 'login') authMetrics.logins.inc(outcome);
    log.warn('auth rate limit exceeded', { limiter, route: route(req) });
  };
  return {
    perEmail: redisRateLimit({
      redis,
      log,
      prefix: 'rl:auth:',
      windowMs: options.perEmail.windowMs,
      limit: options.perEmail.max,
      keyGenerator: (req) => `${clientIp(req)}:${emailHash(req.body)}`,
      onStoreError: () => authMetrics.rateLimitStoreErrors.inc({ limiter: 'email' }),
      onLimited: limited('email'),
      message: 'Too many attempts for this account, please try again later',
    }),
    perIp: redisRateLimit({
      redis,
      log,
      prefix: 'rl:auth-ip:',
      windowMs: options.perIp.windowMs,
      limit: options.perIp.max,
      keyGenerator: clientIp,
      // The per-email limiter's headers stay on every answer; this one speaks only when it refuses.
      headers: 'when-limited',
      onStoreError: () => authMetrics.rateLimitStoreErrors.inc({ limiter: 'ip' }),
      onLimited: limited('ip'),
      message: 'Too many sign-in attempts from this address, please try again later',
    }),
  };
}
