import { createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import { TooManyRequestsError, sendError } from '@social/common/http';
import type { Logger } from '@social/common/logger';
import type { Redis } from '@social/common/redis';
import type { AuthMetrics } from '../auth-metrics';

export interface LoginRateLimitOptions {
  redis: Redis;
  log: Logger;
  authMetrics: AuthMetrics;
  windowMs: number;
  max: number;
}

/** Counts every increment that failed, i.e. every request the limiter let through without counting it. */
class CountingRedisStore extends RedisStore {
  constructor(
    redis: Redis,
    private readonly onError: () => void,
  ) {
    super({
      // ioredis' call() is typed Promise<unknown>; the store only sends commands whose replies fit RedisReply.
      sendCommand: (command: string, ...args: string[]) =>
        redis.call(command, ...args) as Promise<RedisReply>,
      prefix: 'rl:login:',
    });
  }

  override async increment(key: string): ReturnType<RedisStore['increment']> {
    try {
      return await super.increment(key);
    } catch (err) {
      this.onError();
      throw err;
    }
  }
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
  const store = new CountingRedisStore(redis, () => authMetrics.rateLimitStoreErrors.inc());
  // The store loads its Lua scripts once, in the limiter's constructor, and caches a failure forever: that
  // happens whenever Redis is not connected yet (every boot, as the client has no offline queue) or down.
  // Reload them each time the connection becomes ready.
  redis.on('ready', () => {
    store.incrementScriptSha = store.loadIncrementScript();
    store.getScriptSha = store.loadGetScript();
    store.incrementScriptSha.catch(() => undefined);
    store.getScriptSha.catch(() => undefined);
  });
  return rateLimit({
    windowMs: options.windowMs,
    limit: options.max,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    store,
    passOnStoreError: true,
    // ipKeyGenerator groups IPv6 clients by /56, so rotating addresses inside one allocation does not help.
    keyGenerator: (req) => loginKey(ipKeyGenerator(req.ip ?? 'unknown'), req.body),
    logger: {
      error: (err: unknown, detail?: string) => log.warn('login rate limiter error', { detail, err }),
      warn: (err: unknown, detail?: string) => log.warn('login rate limiter warning', { detail, err }),
    },
    handler: (req, res) => {
      authMetrics.logins.inc({ outcome: 'rate_limited' });
      log.warn('login rate limit exceeded');
      sendError(res, new TooManyRequestsError('Too many login attempts, please try again later'));
    },
  });
}
