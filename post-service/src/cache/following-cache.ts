import { randomBytes } from 'node:crypto';
import type { Logger } from '@social/common/logger';
import { counter, type Registry } from '@social/common/metrics';
import { redisScript, type Redis } from '@social/common/redis';
import { failSoft, feedCacheErrors } from './fail-soft';

/** Whom a reader follows, as a home feed reads it. */
export interface Following {
  /** The newest followees first, at most the feed's FEED_MAX_FOLLOWING. */
  followeeIds: string[];
  /** When the newest of these edges was stored (ms): a feed built before it lacks that followee's posts. */
  lastFollowedAt: number | undefined;
}

/**
 * Read-through cache of each reader's followees, so a warm home feed is served without MongoDB. The follow
 * consumer forgets a follower's entry after every edge it applies, and a read fills only what no follow event
 * touched since the read began: it claims the key before asking MongoDB, `forget` deletes the claim with the
 * entry, and the fill stores only while its own claim is still there (the engagement cache's pattern). Entries
 * live a minute at most, which bounds how stale one can be after a `forget` that Redis never received.
 */
export interface FollowingCache {
  /**
   * `prefetched`: the entry as Redis held it (`followingKey`), when the caller already read it in another
   * command of the same round trip (the feed's read does); the cache then does not GET it again.
   */
  get(
    userId: string,
    load: () => Promise<Following>,
    prefetched?: { raw: string | null },
  ): Promise<Following>;
  /** These readers' followees changed. Fail-soft: an entry Redis kept through a failure expires on its own. */
  forget(userIds: string[]): Promise<void>;
}

/** In the reader's feed hash slot (`feed:{<userId>}`), next to the feed it filters. */
export const followingKey = (userId: string): string => `feed:{${userId}}:following`;

/**
 * Lifetime of a cached list. Short on purpose: it is the staleness bound when a `forget` is lost to a Redis
 * failure, and a refill costs one indexed MongoDB query per active reader per minute.
 */
const TTL_SECONDS = 60;
const PENDING = 'pending:';
/** How long a claim holds: longer than any MongoDB read of a following list takes. */
const CLAIM_MS = 5_000;

// KEYS: the entry. ARGV: claim, value, ttl seconds. Stores only while the claim taken before loading is in place.
const FILL = redisScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
return 1
`);

/** `<lastFollowedAt ms or empty>|<id>,<id>…`: ObjectId hex strings never hold either separator. */
const encode = (f: Following): string => `${f.lastFollowedAt ?? ''}|${f.followeeIds.join(',')}`;

function decode(raw: string): Following | undefined {
  const bar = raw.indexOf('|');
  if (bar < 0 || raw.startsWith(PENDING)) return undefined;
  const at = raw.slice(0, bar);
  const ids = raw.slice(bar + 1);
  return {
    lastFollowedAt: at === '' ? undefined : Number(at),
    followeeIds: ids === '' ? [] : ids.split(','),
  };
}

export interface FollowingCacheOptions {
  redis: Redis;
  log: Logger;
  registry: Registry;
}

export function createFollowingCache(opts: FollowingCacheOptions): FollowingCache {
  const { redis, log } = opts;
  const lookups = counter(opts.registry, {
    name: 'feed_following_cache_lookups_total',
    help: 'Following lists a home feed read, by result (hit: Redis, miss: MongoDB)',
    labelNames: ['result'] as const,
  });

  const attempt = failSoft({
    log,
    registry: opts.registry,
    errors: feedCacheErrors,
    messages: {
      unavailable: 'following cache unavailable, reading follows from mongo',
      available: 'following cache available again',
    },
  });

  return {
    async get(userId, load, prefetched) {
      const key = followingKey(userId);
      const raw = prefetched ? prefetched.raw : await attempt('get-following', () => redis.get(key));
      const cached = raw ? decode(raw) : undefined;
      lookups.inc({ result: cached ? 'hit' : 'miss' });
      if (cached) return cached;
      // Claim before reading MongoDB: a follow event from here on deletes the claim, so this answer is not kept.
      const claim = `${PENDING}${randomBytes(8).toString('hex')}`;
      const claimed =
        raw === null && (await attempt('claim-following', () => redis.set(key, claim, 'PX', CLAIM_MS, 'NX')));
      const following = await load();
      if (claimed === 'OK')
        await attempt('fill-following', () =>
          FILL.run(redis, [key], [claim, encode(following), TTL_SECONDS]),
        );
      return following;
    },

    async forget(userIds) {
      if (userIds.length === 0) return;
      // One DEL per reader keeps each command in its own cluster slot.
      await attempt('forget-following', async () => {
        const pipe = redis.pipeline();
        for (const userId of userIds) pipe.del(followingKey(userId));
        const failed = (await pipe.exec())?.find(([err]) => err);
        if (failed) throw failed[0];
      });
    },
  };
}

/** CACHE_ENABLED=false: every feed read asks MongoDB. */
export const disabledFollowingCache = (): FollowingCache => ({
  get: (_userId, load) => load(),
  forget: async () => {},
});
