import { randomBytes } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import type { ClientRateLimitInfo, IncrementResponse, Options, Store } from 'express-rate-limit';
import type { Logger } from '../logger';
import type { Redis } from '../redis';
import { redisRateLimit, type RedisRateLimitOptions } from './redis-rate-limit';
import { ResilientRedisStore } from './resilient-redis-store';
import { turnBatchedCounts } from './turn-batched-counts';

type LimitSide = Pick<
  RedisRateLimitOptions,
  'prefix' | 'limit' | 'keyGenerator' | 'onStoreError' | 'headers'
>;

export interface PairedRedisLimitsOptions {
  redis: Redis;
  log: Logger;
  /** One window for both limits. */
  windowMs: number;
  /** The limiter that runs first, for every request (e.g. per IP). */
  first: LimitSide;
  /**
   * The limiter that runs later on some routes (e.g. per user, after authentication). `earlyKey` is its key as
   * known when the first one runs (from a token verified ahead of time), or undefined: then the second limiter
   * makes its own call when (if) it runs. Whatever earlyKey says, a request is limited exactly as without it.
   */
  second: LimitSide & { earlyKey: (req: Request) => string | undefined };
}

/**
 * A store for one side of the pair: an increment the first limiter already made (handed over under a one-off
 * ticket key) is answered from it; any other key is a normal rate-limit-redis increment.
 */
class HandoffStore implements Store {
  private readonly handoff = new Map<string, Promise<IncrementResponse>>();
  private readonly fallback: ResilientRedisStore;
  private readonly tag = randomBytes(4).toString('hex');
  private seq = 0;
  readonly prefix: string;

  constructor(
    redis: Redis,
    prefix: string,
    private readonly onError: () => void,
  ) {
    this.fallback = new ResilientRedisStore(redis, prefix, onError);
    this.prefix = prefix;
  }

  /** A key for `increment` that answers with `result` (once); the limiter calls it right after its keyGenerator. */
  ticket(result: Promise<IncrementResponse>): string {
    const ticket = `\u0000${this.tag}:${++this.seq}`;
    result.catch(() => undefined); // awaited by increment(); a rejection is counted there, not unhandled here
    this.handoff.set(ticket, result);
    return ticket;
  }

  async init(options: Options): Promise<void> {
    await this.fallback.init(options);
  }

  async increment(key: string): Promise<IncrementResponse> {
    const handed = this.handoff.get(key);
    if (!handed) return this.fallback.increment(key);
    this.handoff.delete(key);
    try {
      return await handed;
    } catch (err) {
      this.onError();
      throw err;
    }
  }

  get(key: string): Promise<ClientRateLimitInfo | undefined> {
    return this.fallback.get(key);
  }

  decrement(key: string): Promise<void> {
    return this.fallback.decrement(key);
  }

  resetKey(key: string): Promise<void> {
    return this.fallback.resetKey(key);
  }
}

/**
 * Two express-rate-limit + rate-limit-redis limiters (say per IP, then per user after authentication) whose
 * counters move together: the first limiter's key generator counts its key, and the second's when it is known
 * early, in the script call of this event-loop turn (turnBatchedCounts: every limited request of the turn in one
 * round trip), and hands each limiter its own answer. Each limiter still decides, answers 429 and sets its
 * headers as `redisRateLimit` does; a Redis failure fails both open, each counted in its `onStoreError`.
 */
export function pairedRedisLimits(options: PairedRedisLimitsOptions): {
  first: RequestHandler;
  second: RequestHandler;
} {
  const { redis, log, windowMs, first, second } = options;
  const firstStore = new HandoffStore(redis, first.prefix, () => first.onStoreError?.());
  const secondStore = new HandoffStore(redis, second.prefix, () => second.onStoreError?.());
  const countPair = turnBatchedCounts({ redis, windowMs, firstLimit: first.limit });
  // The second side's answer, waiting on the request for its limiter.
  const early = new WeakMap<Request, { key: string; result: Promise<IncrementResponse | undefined> }>();

  const firstKey = (req: Request): string => {
    const key1 = first.keyGenerator(req);
    const key2 = second.earlyKey(req);
    const counts = countPair(
      `${first.prefix}${key1}`,
      key2 === undefined ? undefined : `${second.prefix}${key2}`,
    );
    if (key2 !== undefined) {
      const secondResult = counts.then((c) => c.second);
      secondResult.catch(() => undefined); // awaited by the second limiter, if it runs
      early.set(req, { key: key2, result: secondResult });
    }
    return firstStore.ticket(counts.then((c) => c.first));
  };

  const secondKey = (req: Request): string => {
    const key2 = second.keyGenerator(req);
    const handed = early.get(req);
    if (!handed || handed.key !== key2) return key2;
    early.delete(req);
    // Not counted yet (the first side was over its limit and still let through?): count it now.
    return secondStore.ticket(handed.result.then((info) => info ?? secondStore.increment(key2)));
  };

  const limiter = (
    side: LimitSide,
    store: HandoffStore,
    keyGenerator: (req: Request) => string,
  ): RequestHandler => redisRateLimit({ redis, log, windowMs, ...side, keyGenerator, store });
  return { first: limiter(first, firstStore, firstKey), second: limiter(second, secondStore, secondKey) };
}
