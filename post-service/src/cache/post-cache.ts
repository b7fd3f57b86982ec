import type { Logger } from '@social/common/logger';
import { counter, type Registry } from '@social/common/metrics';
import type { Redis } from '@social/common/redis';
import { failSoft, postCacheErrors } from './fail-soft';
import type { PostDto, PostMedia } from '../models/post.model';

export interface PostPage {
  posts: PostDto[];
  currentPage: number;
  totalPages: number;
  totalPosts: number;
}

/**
 * Read-through cache for posts and list pages. Every method is fail-soft: when Redis fails, the loader's
 * answer is served and the failure is logged and counted, never thrown.
 */
export interface PostCache {
  post(postId: string, load: () => Promise<PostDto | null>): Promise<PostDto | null>;
  /**
   * Many posts at once (feeds): one MGET, and one `load` for the misses. Deleted or unknown posts are absent
   * from the answer. `read`: what their keys held, aligned with `postIds`, when a script already read them (the
   * feed's read); then there is no MGET.
   */
  posts(
    postIds: string[],
    load: (missing: string[]) => Promise<PostDto[]>,
    read?: ReadonlyArray<string | null>,
  ): Promise<Map<string, PostDto>>;
  page(query: { page: number; limit: number }, load: () => Promise<PostPage>): Promise<PostPage>;
  /** A post was created: every cached list page is now stale. */
  postCreated(): Promise<void>;
  /** A post was deleted: its entry becomes a deleted marker, and every cached list page is stale. */
  postDeleted(postId: string): Promise<void>;
}

/**
 * What `post:<id>` holds after a delete, for longer than any read can take. A read that loaded the post just
 * before the delete would otherwise put it back for an hour; its write is NX, so the marker wins.
 */
const DELETED_MARKER = 'deleted';
const DELETED_MARKER_TTL_SECONDS = 300;

/** A post as any version of this service cached it. */
type CachedPost = Omit<PostDto, 'media'> & { media?: PostMedia[] };
type CachedPage = Omit<PostPage, 'posts'> & { posts: CachedPost[] };

/** Prepended to a post id (after the client's keyPrefix) by a script that reads post bodies itself. */
export const POST_KEY_PREFIX = 'post:';

const cacheKeys = {
  post: (postId: string) => `${POST_KEY_PREFIX}${postId}`,
  listVersion: 'posts:list:version',
  listPage: (version: number, page: number, limit: number) => `posts:list:v${version}:${page}:${limit}`,
};

export interface PostCacheOptions {
  redis: Redis;
  log: Logger;
  registry: Registry;
  postTtlSeconds: number;
  listTtlSeconds: number;
}

export function createPostCache(opts: PostCacheOptions): PostCache {
  const { redis, log } = opts;
  const lookups = counter(opts.registry, {
    name: 'post_cache_lookups_total',
    help: 'Post cache lookups by cache and result',
    labelNames: ['cache', 'result'] as const,
  });
  const attempt = failSoft({
    log,
    registry: opts.registry,
    errors: postCacheErrors,
    messages: { unavailable: 'cache unavailable, serving from mongo', available: 'cache available again' },
  });

  const parse = <T>(raw: string | null | undefined): T | undefined =>
    raw ? (JSON.parse(raw) as T) : undefined;

  // Entries cached before posts carried `media` lack it; those posts have no media snapshot at all.
  const upgrade = (post: CachedPost): PostDto => ({ ...post, media: post.media ?? [] });

  return {
    async post(postId, load) {
      const key = cacheKeys.post(postId);
      const raw = await attempt('get-post', () => redis.get(key));
      if (raw === DELETED_MARKER) {
        lookups.inc({ cache: 'post', result: 'hit' });
        return null;
      }
      const cached = parse<CachedPost>(raw);
      lookups.inc({ cache: 'post', result: cached ? 'hit' : 'miss' });
      if (cached) return upgrade(cached);
      const post = await load();
      if (post)
        await attempt('set-post', () =>
          redis.set(key, JSON.stringify(post), 'EX', opts.postTtlSeconds, 'NX'),
        );
      return post;
    },

    async posts(postIds, load, read) {
      const found = new Map<string, PostDto>();
      if (postIds.length === 0) return found;
      const raws = read ?? (await attempt('get-posts', () => redis.mget(postIds.map(cacheKeys.post))));
      const missing: string[] = [];
      postIds.forEach((id, i) => {
        const raw = raws?.[i];
        if (raw === DELETED_MARKER) return;
        const cached = parse<CachedPost>(raw);
        if (cached) found.set(id, upgrade(cached));
        else missing.push(id);
      });
      lookups.inc({ cache: 'post', result: 'hit' }, postIds.length - missing.length);
      if (missing.length === 0) return found;
      lookups.inc({ cache: 'post', result: 'miss' }, missing.length);
      const loaded = await load(missing);
      for (const post of loaded) found.set(post.id, post);
      if (raws && loaded.length > 0)
        await attempt('set-posts', async () => {
          const pipe = redis.pipeline();
          for (const post of loaded)
            pipe.set(cacheKeys.post(post.id), JSON.stringify(post), 'EX', opts.postTtlSeconds, 'NX');
          await pipe.exec();
        });
      return found;
    },

    async page(query, load) {
      // Read the version before loading: if a write bumps it meanwhile, this page is stored under the old
      // version, which nobody reads any more, instead of serving stale data under the new one.
      const raw = await attempt('get-list-version', () => redis.get(cacheKeys.listVersion));
      const version = raw === undefined ? undefined : Number(raw ?? 0);
      const key = version === undefined ? undefined : cacheKeys.listPage(version, query.page, query.limit);
      const cached = key ? parse<CachedPage>(await attempt('get-list', () => redis.get(key))) : undefined;
      lookups.inc({ cache: 'list', result: cached ? 'hit' : 'miss' });
      if (cached) return { ...cached, posts: cached.posts.map(upgrade) };
      const page = await load();
      if (key)
        await attempt('set-list', () => redis.set(key, JSON.stringify(page), 'EX', opts.listTtlSeconds));
      return page;
    },

    async postCreated() {
      await attempt('bump-list-version', () => redis.incr(cacheKeys.listVersion));
    },

    async postDeleted(postId) {
      await attempt('forget-post', async () => {
        const results = await redis
          .multi()
          .set(cacheKeys.post(postId), DELETED_MARKER, 'EX', DELETED_MARKER_TTL_SECONDS)
          .incr(cacheKeys.listVersion)
          .exec();
        const failed = results?.find(([err]) => err);
        if (failed) throw failed[0];
      });
    },
  };
}

/** CACHE_ENABLED=false: every read goes to MongoDB (used to measure what the cache buys). */
export const disabledPostCache = (): PostCache => ({
  post: (_postId, load) => load(),
  posts: async (_postIds, load) => new Map((await load(_postIds)).map((p) => [p.id, p])),
  page: (_query, load) => load(),
  postCreated: async () => {},
  postDeleted: async () => {},
});
