import { randomBytes } from 'node:crypto';
import type { Logger } from '@social/common/logger';
import { counter, type Registry } from '@social/common/metrics';
import { redisScript, type Redis } from '@social/common/redis';
import { failSoft, postCacheErrors } from './fail-soft';

/** A post's counters as served. */
export interface CachedCounts {
  likeCount: number;
  commentCount: number;
}

/** What a page of posts needs beyond their bodies, for one viewer. */
export interface EngagementLookup {
  counts: Map<string, CachedCounts>;
  /** The posts among those asked about that the viewer likes. */
  liked: Set<string>;
}

/** Which posts' counters and which of the viewer's like edges the cache could not answer. */
export interface EngagementMisses {
  counts: string[];
  liked: string[];
}

/**
 * Read-through cache for the counters and likedByMe, so a cached GET of a post is served by Redis alone.
 * Every write that moves an edge deletes what it touched (`changed`), and a read fills only what no write
 * touched since the read began: it claims each missing entry with a token before asking MongoDB, a write deletes
 * the claim with the entry, and the fill stores only where its own claim is still there. A read that raced with
 * a like therefore never puts the old count back. Fail-soft like the post cache.
 */
export interface EngagementCache {
  /** `read`: what Redis held for `postIds`, when a script already read it (the feed's read); else read now. */
  lookup(
    postIds: string[],
    viewerId: string,
    load: (missing: EngagementMisses) => Promise<EngagementLookup>,
    read?: EngagementRead,
  ): Promise<EngagementLookup>;
  /** An edge moved: the post's counters, and the viewer's likedByMe for it when a like moved, are stale. */
  changed(change: { postId: string; likedBy?: string }): Promise<void>;
}

/** What Redis held for a page, aligned with its post ids; '' where it held nothing. */
export interface EngagementRead {
  counts: string[];
  liked: string[];
}

const COUNTS_PREFIX = 'eng:counts:';

/** Where engagement lives, for a script that reads it beside something else (see ENGAGEMENT_OF). */
export const engagementKeys = {
  counts: (postId: string) => `${COUNTS_PREFIX}${postId}`,
  /** Prepended to a post id (after the client's keyPrefix) inside a script, which builds the key itself. */
  countsPrefix: COUNTS_PREFIX,
  /** One hash per viewer, field per post: a page's likedByMe is one HMGET. */
  liked: (viewerId: string) => `eng:liked:${viewerId}`,
};

const PENDING = 'pending:';
/** How long a claim holds: longer than any MongoDB read of a page takes, short enough to heal after a crash. */
const CLAIM_MS = 5_000;
/** A viewer's likedByMe hash stays bounded: past this many posts it is dropped and refilled. */
const MAX_LIKED_FIELDS = 2_000;

/**
 * Lua: a page's counters and the viewer's likedByMe, given the first `n` of `countKeys`, the viewer's hash and
 * the post ids. Each answer is one space-joined string, an absent entry an empty item (no value holds a space):
 * two strings decode several times cheaper in the client than a reply item per post and answer, and one command
 * is cheaper than MGET beside HMGET even for a single post. `EngagementCache.lookup` parses them (`read`).
 */
export const ENGAGEMENT_OF = `
local function engagementOf(countKeys, n, likedKey, ids)
  local counts = redis.call('MGET', unpack(countKeys, 1, n))
  local liked = redis.call('HMGET', likedKey, unpack(ids, 1, n))
  for i = 1, n do
    counts[i] = counts[i] or ''
    liked[i] = liked[i] or ''
  end
  return table.concat(counts, ' '), table.concat(liked, ' ')
end
`;

/** Splits ENGAGEMENT_OF's two strings. */
export const engagementRead = (counts: string, liked: string): EngagementRead => ({
  counts: counts.split(' '),
  liked: liked.split(' '),
});

// KEYS: count keys…, then the viewer's hash. ARGV: the hash fields (post ids).
const READ = redisScript(`${ENGAGEMENT_OF}
local n = #KEYS - 1
return {engagementOf(KEYS, n, KEYS[n + 1], ARGV)}
`);

// Claims every missing entry in one round trip. KEYS: count keys…, then the viewer's hash. ARGV: claim value,
// claim ms, hash TTL, number of count keys, hash fields…. A hash field has no TTL of its own, so its claim
// carries its expiry time and an expired claim counts as absent.
const CLAIM = redisScript(`
local nCounts = tonumber(ARGV[4])
local now = redis.call('TIME')
local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
for i = 1, nCounts do
  redis.call('SET', KEYS[i], ARGV[1], 'NX', 'PX', ARGV[2])
end
local hash = KEYS[nCounts + 1]
local claim = ARGV[1] .. ':' .. (nowMs + tonumber(ARGV[2]))
for i = 5, #ARGV do
  local cur = redis.call('HGET', hash, ARGV[i])
  local expired = false
  if cur and string.sub(cur, 1, ${PENDING.length}) == '${PENDING}' then
    expired = tonumber(string.match(cur, ':(%d+)$') or '0') < nowMs
  end
  if not cur or expired then redis.call('HSET', hash, ARGV[i], claim) end
end
if #ARGV >= 5 and redis.call('TTL', hash) == -1 then redis.call('EXPIRE', hash, ARGV[3]) end
return 1
`);

// Stores the answers whose claims are still in place. KEYS as for CLAIM. ARGV: claim value, counts TTL, hash TTL,
// number of count keys, count values…, then field/value pairs.
const FILL = redisScript(`
local nCounts = tonumber(ARGV[4])
for i = 1, nCounts do
  if redis.call('GET', KEYS[i]) == ARGV[1] then redis.call('SET', KEYS[i], ARGV[4 + i], 'EX', ARGV[2]) end
end
local hash = KEYS[nCounts + 1]
local prefix = ARGV[1] .. ':'
for i = 5 + nCounts, #ARGV, 2 do
  local cur = redis.call('HGET', hash, ARGV[i])
  if cur and string.sub(cur, 1, #prefix) == prefix then redis.call('HSET', hash, ARGV[i], ARGV[i + 1]) end
end
if redis.call('HLEN', hash) > ${MAX_LIKED_FIELDS} then
  redis.call('DEL', hash)
elseif redis.call('EXISTS', hash) == 1 then
  redis.call('EXPIRE', hash, ARGV[3])
end
return 1
`);

export interface EngagementCacheOptions {
  redis: Redis;
  log: Logger;
  registry: Registry;
  /** Lifetime of a post's cached counters (writes delete them anyway). */
  countsTtlSeconds: number;
  /** Lifetime of a viewer's likedByMe hash since their last read that filled it. */
  likedTtlSeconds: number;
}

const parseCounts = (raw: string): CachedCounts | undefined => {
  const [likes, comments] = raw.split(',').map(Number);
  return Number.isInteger(likes) && Number.isInteger(comments)
    ? { likeCount: likes ?? 0, commentCount: comments ?? 0 }
    : undefined;
};

export function createEngagementCache(opts: EngagementCacheOptions): EngagementCache {
  const { redis, log } = opts;
  const lookups = counter(opts.registry, {
    name: 'post_engagement_cache_lookups_total',
    help: 'Counters and likedByMe per post served, by result (hit: Redis, miss: MongoDB)',
    labelNames: ['result'] as const,
  });
  const countsTtl = String(opts.countsTtlSeconds);
  const likedTtl = String(opts.likedTtlSeconds);
  const attempt = failSoft({
    log,
    registry: opts.registry,
    errors: postCacheErrors,
    messages: {
      unavailable: 'engagement cache unavailable, serving from mongo',
      available: 'engagement cache available again',
    },
  });

  return {
    async lookup(postIds, viewerId, load, read) {
      if (postIds.length === 0) return { counts: new Map(), liked: new Set() };
      const hashKey = engagementKeys.liked(viewerId);
      const cached =
        read ??
        (await attempt('get-engagement', async () => {
          const [counts = '', liked = ''] = (await READ.run(
            redis,
            [...postIds.map(engagementKeys.counts), hashKey],
            postIds,
          )) as string[];
          return engagementRead(counts, liked);
        }));
      if (!cached) return load({ counts: postIds, liked: postIds });

      const counts = new Map<string, CachedCounts>();
      const liked = new Set<string>();
      const missing: EngagementMisses = { counts: [], liked: [] };
      postIds.forEach((id, i) => {
        const rawCounts = cached.counts[i];
        const parsed = rawCounts && !rawCounts.startsWith(PENDING) ? parseCounts(rawCounts) : undefined;
        if (parsed) counts.set(id, parsed);
        else missing.counts.push(id);
        const rawLiked = cached.liked[i];
        if (rawLiked === '1') liked.add(id);
        else if (rawLiked !== '0') missing.liked.push(id);
      });
      const hits = postIds.length * 2 - missing.counts.length - missing.liked.length;
      if (hits > 0) lookups.inc({ result: 'hit' }, hits);
      if (missing.counts.length === 0 && missing.liked.length === 0) return { counts, liked };
      lookups.inc({ result: 'miss' }, missing.counts.length + missing.liked.length);

      const claim = `${PENDING}${randomBytes(8).toString('hex')}`;
      const keyArgs = [...missing.counts.map(engagementKeys.counts), hashKey];
      // Claim before reading MongoDB: a write from here on deletes the claim, so this answer is then not kept.
      const claimed = await attempt('claim-engagement', () =>
        CLAIM.run(redis, keyArgs, [claim, CLAIM_MS, likedTtl, missing.counts.length, ...missing.liked]),
      );
      const loaded = await load(missing);
      for (const [id, c] of loaded.counts) counts.set(id, c);
      for (const id of loaded.liked) liked.add(id);
      if (claimed !== undefined) {
        const countValues = missing.counts.map((id) => {
          const c = loaded.counts.get(id) ?? { likeCount: 0, commentCount: 0 };
          return `${c.likeCount},${c.commentCount}`;
        });
        const likedPairs = missing.liked.flatMap((id) => [id, loaded.liked.has(id) ? '1' : '0']);
        await attempt('fill-engagement', () =>
          FILL.run(redis, keyArgs, [
            claim,
            countsTtl,
            likedTtl,
            missing.counts.length,
            ...countValues,
            ...likedPairs,
          ]),
        );
      }
      return { counts, liked };
    },

    async changed(change) {
      await attempt('forget-engagement', async () => {
        const multi = redis.multi().del(engagementKeys.counts(change.postId));
        if (change.likedBy) multi.hdel(engagementKeys.liked(change.likedBy), change.postId);
        const results = await multi.exec();
        const failed = results?.find(([err]) => err);
        if (failed) throw failed[0];
      });
    },
  };
}

/** CACHE_ENABLED=false: every lookup goes to MongoDB. */
export const disabledEngagementCache = (): EngagementCache => ({
  lookup: (postIds, _viewerId, load) =>
    postIds.length === 0
      ? Promise.resolve({ counts: new Map(), liked: new Set() })
      : load({ counts: postIds, liked: postIds }),
  changed: async () => {},
});
