import { randomBytes, randomUUID } from 'node:crypto';
import type { Logger } from '@social/common/logger';
import { counter, type Registry } from '@social/common/metrics';
import { redisScript, type Redis } from '@social/common/redis';
import { failSoft, feedCacheErrors } from './fail-soft';
import { ENGAGEMENT_OF, engagementKeys, engagementRead, type EngagementRead } from './engagement-cache';
import { followingKey } from './following-cache';
import { POST_KEY_PREFIX } from './post-cache';

/** One post in a home feed: its createdAt (ms, the score) and id (the member; ties sort by id like MongoDB). */
export interface FeedEntry {
  t: number;
  id: string;
}

/**
 * A read of one home feed. `warm`: the entries after the position, newest first, and `complete` when the feed
 * holds every fanned-out post there is (it was never trimmed to the cap), so running out means the end.
 * `cold`: nothing usable in Redis (never built, expired, flushed, or dropped). `unavailable`: Redis failed.
 */
export type FeedRead =
  | {
      state: 'warm';
      entries: FeedEntry[];
      complete: boolean;
      /** When the rebuild behind this feed started (ms): follows stored later are not in it. */
      builtAt: number;
      /** Authors whose posts feeds merge at read time; undefined when Redis does not know (query them all). */
      hotAuthors: ReadonlySet<string> | undefined;
      /** The reader's cached follow set as Redis holds it (see FollowingCache), read in the same script. */
      following: string | null;
      /** What Redis held for the entries' posts, aligned with `entries`, read in the same script. */
      page: FeedPageRead;
    }
  | { state: 'cold'; following: string | null }
  | { state: 'unavailable' };

/** The cached bodies (PostCache) and engagement (EngagementCache) of a read's entries, for those caches to parse. */
export interface FeedPageRead {
  bodies: (string | null)[];
  engagement: EngagementRead;
}

/**
 * Home feeds in Redis: per user a sorted set `feed:{<userId>}` of post ids scored by createdAt, capped at
 * `maxEntries` and expiring `ttlSeconds` after its last read, and a state key `feed:{<userId>}:state`
 * (`open:<nonce>:<ms>` while a rebuild that started at <ms> runs, then `complete:<ms>` or `capped:<ms>`).
 * Only feeds someone read recently exist, so memory stays within cap × active readers; every other feed is
 * rebuilt from MongoDB on its next read.
 */
export interface FeedStore {
  read(userId: string, after: FeedEntry | undefined, count: number): Promise<FeedRead>;
  /**
   * Rebuilds a cold feed from `load` (the newest posts from MongoDB). The state key is opened before loading so
   * fan-outs that happen meanwhile land in the new set; the rebuild only completes if nobody dropped or
   * reopened the feed in between. False when it did not complete (the caller serves from MongoDB).
   */
  rebuild(userId: string, load: (limit: number) => Promise<FeedEntry[]>): Promise<boolean>;
  /** Adds a new post to the feeds of these users, where they exist. Throws on a Redis failure (retried). */
  fanOut(entry: FeedEntry, userIds: string[]): Promise<void>;
  /** Drops these users' feeds (deleted accounts). Throws on failure, so the event is retried. */
  invalidate(userIds: string[]): Promise<void>;
  /** Removes posts a read found deleted; fail-soft, it is only housekeeping. */
  prune(userId: string, postIds: string[]): Promise<void>;
  /** An author's posts are merged at read time from now on. Throws on failure (the fan-out is retried). */
  addHotAuthor(authorId: string): Promise<void>;
  /** Whether the author is already listed as hot; false when Redis cannot say (MongoDB decides then). */
  isHotAuthor(authorId: string): Promise<boolean>;
  /**
   * Records the complete list of hot authors (from MongoDB) after Redis lost it; fail-soft. A set, so an
   * author added concurrently by a fan-out is kept.
   */
  restoreHotAuthors(authorIds: string[]): Promise<void>;
}

const keys = {
  /**
   * Authors with posts merged at read time, plus KNOWN once it was filled from MongoDB: without KNOWN (never
   * filled, flushed, evicted) a read cannot tell "no hot author" from "lost" and queries MongoDB.
   */
  hotAuthors: 'feed:hot:{authors}',
  /** A random token replaced whenever hotAuthors gains a member (same slot): replicas re-read the set only then. */
  hotAuthorsVersion: 'feed:hot:{authors}:version',
  feed: (userId: string) => `feed:{${userId}}`,
  state: (userId: string) => `feed:{${userId}}:state`,
};

// KEYS: hot authors, version. ARGV: new version token, members…. A new token only when a member was new, so
// a hot author's every post (they are listed again each time) does not make every replica re-read the set.
const ADD_HOT_AUTHORS = redisScript(`
local added = 0
for i = 2, #ARGV do added = added + redis.call('SADD', KEYS[1], ARGV[i]) end
if added > 0 or redis.call('EXISTS', KEYS[2]) == 0 then redis.call('SET', KEYS[2], ARGV[1]) end
return added
`);

// KEYS: hot authors, version. ARGV: a token should the version be missing. Returns {version, members}, read
// together so a copy is never labelled with a version newer than its members; a lost version is set again,
// which every replica sees as a change.
const HOT_AUTHORS = redisScript(`
local version = redis.call('GET', KEYS[2])
if not version then
  version = ARGV[1]
  redis.call('SET', KEYS[2], version)
end
return {version, redis.call('SMEMBERS', KEYS[1])}
`);

// KEYS: feed, state. ARGV: score, member, cap. Only feeds that exist (or are being rebuilt) receive the post;
// the feed inherits the state key's expiry, so a feed nobody reads still leaves Redis on time.
const FAN_OUT = redisScript(`
local state = redis.call('GET', KEYS[2])
if not state then return 0 end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
local n = redis.call('ZCARD', KEYS[1])
local cap = tonumber(ARGV[3])
if n > cap then
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, n - cap - 1)
  if string.sub(state, 1, 9) == 'complete:' then
    redis.call('SET', KEYS[2], 'capped:' .. string.sub(state, 10), 'KEEPTTL')
  end
end
local ttl = redis.call('TTL', KEYS[2])
if ttl > 0 then redis.call('EXPIRE', KEYS[1], ttl) end
return 1
`);

// KEYS: feed, state. ARGV: nonce (`open:<uuid>:<ms>`), cap, ttl, loadedFull ('1' when the load hit the cap),
// then score/member pairs. The finished state keeps the rebuild's start time: what it saw of the follow graph.
const FINISH_REBUILD = redisScript(`
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
for i = 5, #ARGV, 2 do redis.call('ZADD', KEYS[1], ARGV[i], ARGV[i + 1]) end
local cap = tonumber(ARGV[2])
local capped = ARGV[4] == '1'
local n = redis.call('ZCARD', KEYS[1])
if n > cap then
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, n - cap - 1)
  capped = true
end
local startedAt = string.match(ARGV[1], ':(%d+)$')
redis.call('SET', KEYS[2], (capped and 'capped:' or 'complete:') .. startedAt, 'EX', ARGV[3])
if n > 0 then redis.call('EXPIRE', KEYS[1], ARGV[3]) end
return 1
`);

// KEYS: feed, state, the reader's cached follow set, the hot-author list's version, the reader's likedByMe hash.
// ARGV: ttl, count, the cursor's score ('' on the first page), same-ms limit, then the key prefixes (the client's
// keyPrefix included) of cached posts and of their counters. Returns the follow set, the state and the version
// (each false when absent), the entries (WITHSCORES: on a later page first those sharing the cursor's
// millisecond, then older ones), and for those entries' posts their cached bodies and engagement. Reading keeps a
// feed alive: only readers' feeds stay in Redis. A warm page is this one round trip: the post and counter keys
// are built here because they are known only once the range is read (standalone Redis runs that; a cluster would
// need them declared).
const READ = redisScript(`${ENGAGEMENT_OF}
local following = redis.call('GET', KEYS[3])
local version = redis.call('GET', KEYS[4])
local state = redis.call('GET', KEYS[2])
if not state then return {following, false, version} end
redis.call('EXPIRE', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[2], ARGV[1])
local ranges
if ARGV[3] == '' then
  ranges = {redis.call('ZREVRANGEBYSCORE', KEYS[1], '+inf', '-inf', 'WITHSCORES', 'LIMIT', 0, ARGV[2])}
else
  ranges = {
    redis.call('ZREVRANGEBYSCORE', KEYS[1], ARGV[3], ARGV[3], 'WITHSCORES', 'LIMIT', 0, ARGV[4]),
    redis.call('ZREVRANGEBYSCORE', KEYS[1], '(' .. ARGV[3], '-inf', 'WITHSCORES', 'LIMIT', 0, ARGV[2]),
  }
end
local ids, postKeys, countKeys = {}, {}, {}
for _, range in ipairs(ranges) do
  for i = 1, #range, 2 do
    local n = #ids + 1
    ids[n] = range[i]
    postKeys[n] = ARGV[5] .. range[i]
    countKeys[n] = ARGV[6] .. range[i]
  end
end
if #ids == 0 then return {following, state, version, ranges, {}, '', ''} end
local counts, liked = engagementOf(countKeys, #ids, KEYS[5], ids)
return {following, state, version, ranges, redis.call('MGET', unpack(postKeys)), counts, liked}
`);
/** READ's answer after the follow set, state and version: the ranges and their posts' data. */
type PageReply = [ranges?: string[][], bodies?: (string | null)[], counts?: string, liked?: string];
/** READ's answer: follow set, state and version (null when absent), then PageReply when the feed exists. */
type ReadReply = [following: string | null, state: string | null, version: string | null, ...PageReply];

const KNOWN = '-';

const newVersion = (): string => randomBytes(8).toString('hex');

/** Pipelines of at most this many commands, so one huge fan-out never builds one huge reply buffer. */
const FAN_OUT_CHUNK = 500;
/** Posts sharing one millisecond with the cursor's post that a page can step over (more is not realistic). */
const SAME_MS_LIMIT = 100;

export interface FeedStoreOptions {
  redis: Redis;
  log: Logger;
  registry: Registry;
  maxEntries: number;
  ttlSeconds: number;
}

type Reply = [Error | null, unknown][] | null;

function results(reply: Reply): unknown[] {
  if (!reply) throw new Error('redis pipeline returned nothing');
  return reply.map(([err, value]) => {
    if (err) throw err;
    return value;
  });
}

/**
 * READ's ranges as entries after `after` (a later page's first range holds the cursor's millisecond, of which
 * only ids below the cursor's follow), at most `count`, with their posts' data kept aligned.
 */
function pageAfter(
  after: FeedEntry | undefined,
  count: number,
  [ranges = [], bodies = [], counts = '', liked = '']: PageReply,
): { entries: FeedEntry[]; page: FeedPageRead } {
  const [first = [], older = []] = ranges;
  const all = [...toEntries(first), ...toEntries(older)];
  const engagement = engagementRead(counts, liked);
  const sameMs = first.length / 2;
  const entries: FeedEntry[] = [];
  const page: FeedPageRead = { bodies: [], engagement: { counts: [], liked: [] } };
  all.forEach((entry, i) => {
    if (entries.length >= count || (after && i < sameMs && entry.id >= after.id)) return;
    entries.push(entry);
    page.bodies.push(bodies[i] ?? null);
    page.engagement.counts.push(engagement.counts[i] ?? '');
    page.engagement.liked.push(engagement.liked[i] ?? '');
  });
  return { entries, page };
}

/** WITHSCORES replies: member, score, member, score… */
function toEntries(raw: unknown): FeedEntry[] {
  if (!Array.isArray(raw)) return [];
  const out: FeedEntry[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push({ id: String(raw[i]), t: Number(raw[i + 1]) });
  return out;
}

export function createFeedStore(opts: FeedStoreOptions): FeedStore {
  const { redis, log, maxEntries, ttlSeconds } = opts;
  const lookups = counter(opts.registry, {
    name: 'feed_cache_reads_total',
    help: 'Home feed reads by Redis state (warm, cold, unavailable)',
    labelNames: ['state'] as const,
  });
  const attempt = failSoft({
    log,
    registry: opts.registry,
    errors: feedCacheErrors,
    messages: {
      unavailable: 'feed cache unavailable, serving feeds from mongo',
      available: 'feed cache available again',
    },
  });

  const addHotAuthors = (members: string[]): Promise<unknown> =>
    ADD_HOT_AUTHORS.run(redis, [keys.hotAuthors, keys.hotAuthorsVersion], [newVersion(), ...members]);

  // This replica's copy of the hot-author set, as of `version`. Every read brings the current version along, and
  // the members are fetched only when it moved.
  let held: { version: string; hot: ReadonlySet<string> | undefined } | undefined;
  const hotAuthors = async (current: string | null): Promise<ReadonlySet<string> | undefined> => {
    if (held && current === held.version) return held.hot;
    const [version, members] = (await HOT_AUTHORS.run(
      redis,
      [keys.hotAuthors, keys.hotAuthorsVersion],
      [newVersion()],
    )) as [string, string[]];
    held = {
      version,
      hot: members.includes(KNOWN) ? new Set(members.filter((a) => a !== KNOWN)) : undefined,
    };
    return held.hot;
  };
  const keyPrefix = redis.options.keyPrefix ?? '';
  const pageKeyPrefixes = [`${keyPrefix}${POST_KEY_PREFIX}`, `${keyPrefix}${engagementKeys.countsPrefix}`];

  return {
    async read(userId, after, count) {
      const reply = await attempt('read', async () => {
        const [following, state, version, ...page] = (await READ.run(
          redis,
          [
            keys.feed(userId),
            keys.state(userId),
            followingKey(userId),
            keys.hotAuthorsVersion,
            engagementKeys.liked(userId),
          ],
          [ttlSeconds, count, after ? after.t : '', SAME_MS_LIMIT, ...pageKeyPrefixes],
        )) as ReadReply;
        return { following, state, page, hot: state === null ? undefined : await hotAuthors(version) };
      });
      if (!reply) {
        lookups.inc({ state: 'unavailable' });
        return { state: 'unavailable' };
      }
      const { following, state, hot } = reply;
      const built = typeof state === 'string' ? /^(complete|capped):(\d+)$/.exec(state) : null;
      if (!built) {
        lookups.inc({ state: 'cold' });
        return { state: 'cold', following };
      }
      lookups.inc({ state: 'warm' });
      return {
        state: 'warm',
        ...pageAfter(after, count, reply.page),
        complete: built[1] === 'complete',
        builtAt: Number(built[2]),
        hotAuthors: hot,
        following,
      };
    },

    async rebuild(userId, load) {
      const nonce = `open:${randomUUID()}:${Date.now()}`;
      const opened = await attempt('rebuild-open', async () =>
        results(
          await redis.multi().del(keys.feed(userId)).set(keys.state(userId), nonce, 'EX', ttlSeconds).exec(),
        ),
      );
      if (!opened) return false;
      const entries = await load(maxEntries);
      const args = entries.flatMap((e) => [String(e.t), e.id]);
      const done = await attempt('rebuild-finish', () =>
        FINISH_REBUILD.run(
          redis,
          [keys.feed(userId), keys.state(userId)],
          [nonce, maxEntries, ttlSeconds, entries.length >= maxEntries ? '1' : '0', ...args],
        ),
      );
      return done === 1;
    },

    async fanOut(entry, userIds) {
      for (let i = 0; i < userIds.length; i += FAN_OUT_CHUNK) {
        await FAN_OUT.runMany(redis, (queue) => {
          for (const userId of userIds.slice(i, i + FAN_OUT_CHUNK))
            queue([keys.feed(userId), keys.state(userId)], [entry.t, entry.id, maxEntries]);
        });
      }
    },

    async invalidate(userIds) {
      if (userIds.length === 0) return;
      // One DEL per user keeps each command on one cluster slot ({userId} hash tag).
      const pipe = redis.pipeline();
      for (const userId of userIds) pipe.del(keys.state(userId), keys.feed(userId));
      results(await pipe.exec());
    },

    async prune(userId, postIds) {
      if (postIds.length === 0) return;
      await attempt('prune', () => redis.zrem(keys.feed(userId), ...postIds));
    },

    async addHotAuthor(authorId) {
      await addHotAuthors([authorId]);
    },

    async isHotAuthor(authorId) {
      return (await attempt('is-hot-author', () => redis.sismember(keys.hotAuthors, authorId))) === 1;
    },

    async restoreHotAuthors(authorIds) {
      await attempt('restore-hot-authors', () => addHotAuthors([KNOWN, ...authorIds]));
    },
  };
}

/** CACHE_ENABLED=false: no Redis, every feed is read from MongoDB. */
export const disabledFeedStore = (): FeedStore => ({
  read: async () => ({ state: 'unavailable' }),
  rebuild: async () => false,
  fanOut: async () => {},
  invalidate: async () => {},
  prune: async () => {},
  addHotAuthor: async () => {},
  isHotAuthor: async () => false,
  restoreHotAuthors: async () => {},
});
