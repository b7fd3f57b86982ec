import type { CursorCodec, CursorQuery } from '@social/common/http';
import type { Logger } from '@social/common/logger';
import type { FeedEntry, FeedPageRead, FeedRead, FeedStore } from '../cache/feed-store';
import type { FollowingCache } from '../cache/following-cache';
import type { PostCache } from '../cache/post-cache';
import { followeesOf, type FollowEdgeModel } from '../models/follow-edge.model';
import {
  findHotAuthors,
  findVisiblePostsByIds,
  listFeedEntries,
  listVisiblePostsByAuthors,
  toPostDto,
  type PostDto,
  type PostModel,
} from '../models/post.model';
import { prefetchEngagement } from './engagement';
import { presentPosts, type PostView, type PresentPostsDeps } from './present-posts';

export interface GetFeedDeps extends PresentPostsDeps {
  posts: PostModel;
  follows: FollowEdgeModel;
  cache: PostCache;
  feeds: FeedStore;
  /** The reader's followees, cached in Redis: a warm feed is read without MongoDB. */
  following: FollowingCache;
  cursors: CursorCodec;
  log: Logger;
  /** A feed reads the newest this many followees (bounds every query). */
  maxFollowing: number;
}

export interface PostListPage {
  posts: PostView[];
  nextCursor: string | null;
}

/**
 * Rounds of Redis reads one page may take when many entries turn out deleted or unfollowed; after that the page
 * is shorter than asked and its cursor continues where the scan stopped (never skips, never repeats).
 */
const MAX_ROUNDS = 4;

const positionOf = (post: PostDto): FeedEntry => ({ t: Date.parse(post.createdAt), id: post.id });

/**
 * Newest first, ties by id descending: the order of the Redis sets and of every MongoDB list. createdAt is always
 * `toISOString()` (fixed width, UTC), so comparing the strings compares the times without parsing them.
 */
const newestFirst = (a: PostDto, b: PostDto): number => {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
};

/**
 * The caller's home feed: their own posts and those of everyone they follow, newest first. Fanned-out posts come
 * from the caller's Redis set, posts of authors over the fan-out threshold are merged in from MongoDB, and a
 * cold or unreachable Redis serves the whole page from MongoDB (slower, same answer). Every entry is checked
 * against the current following set and against deletion, so an unfollow or a delete shows on the next read.
 */
export async function getFeed(
  deps: GetFeedDeps,
  cmd: { userId: string } & CursorQuery,
): Promise<PostListPage> {
  const scope = `feed:${cmd.userId}`;
  const after = cmd.cursor === undefined ? undefined : deps.cursors.decode(scope, cmd.cursor);
  const want = cmd.limit + 1;
  // The feed's read brings the cached follow set and the page's posts along: a warm page is one Redis round trip.
  const firstRead = await deps.feeds.read(cmd.userId, after, want);
  const { followeeIds, lastFollowedAt } = await deps.following.get(
    cmd.userId,
    () => followeesOf(deps.follows, cmd.userId, deps.maxFollowing),
    firstRead.state === 'unavailable' ? undefined : { raw: firstRead.following },
  );
  // A warm first read's entries are nearly always the page, and the read brought their likes and comments along.
  // Posts it did not name are looked up when the page is presented.
  const prefetched =
    firstRead.state === 'warm'
      ? prefetchEngagement(
          firstRead.entries.map((e) => e.id),
          cmd.userId,
          deps,
          firstRead.page.engagement,
        )
      : undefined;
  const { posts, resumeAt } = await collectPage(deps, firstRead, {
    userId: cmd.userId,
    authorIds: [cmd.userId, ...followeeIds],
    lastFollowedAt,
    after,
    want,
  });
  const page = posts.slice(0, cmd.limit);
  const last = page.at(-1);
  const next = posts.length > cmd.limit && last ? positionOf(last) : resumeAt;
  return {
    posts: await presentPosts(deps, page, { viewerId: cmd.userId, prefetched }),
    nextCursor: next ? deps.cursors.encode(scope, next) : null,
  };
}

interface Collected {
  /** Up to `want` posts, newest first. */
  posts: PostDto[];
  /** Set when the scan stopped early with fewer than `want`: where the next page starts. */
  resumeAt?: FeedEntry;
}

/** `firstRead` is the feed's read of `want` entries after `q.after`. */
async function collectPage(
  deps: GetFeedDeps,
  firstRead: FeedRead,
  q: { userId: string; authorIds: string[]; lastFollowedAt?: number; after?: FeedEntry; want: number },
): Promise<Collected> {
  let read = firstRead;
  // Built before the newest follow was stored: it lacks that followee's earlier posts.
  const stale = read.state === 'warm' && q.lastFollowedAt !== undefined && q.lastFollowedAt >= read.builtAt;
  if (read.state === 'cold' || stale) read = await rebuildThenRead(deps, q);
  if (read.state !== 'warm') return { posts: await fromMongo(deps, q.authorIds, q.after, q.want) };

  const authors = new Set(q.authorIds);
  const out: PostDto[] = [];
  let position = q.after;
  for (let round = 1; ; round++) {
    const need = q.want - out.length;
    const current: FeedRead = round === 1 ? read : await deps.feeds.read(q.userId, position, need);
    if (current.state !== 'warm') {
      out.push(...(await fromMongo(deps, q.authorIds, position, need)));
      return { posts: out };
    }
    const { entries, complete } = current;
    // The set answered `need` entries: this round covers down to its last one. Fewer: the set is exhausted.
    const windowEnd = entries.length >= need ? entries.at(-1) : undefined;
    if (!windowEnd && !complete) {
      // The set was trimmed to its cap: everything older than this point is only in MongoDB.
      out.push(...(await fromMongo(deps, q.authorIds, position, need)));
      return { posts: out };
    }
    const hotFollowed = await followedHotAuthors(deps, current.hotAuthors, q.authorIds);
    const [fannedOut, mergedAtRead] = await Promise.all([
      hydrate(deps, q.userId, entries, current.page.bodies),
      listVisiblePostsByAuthors(deps.posts, {
        authorIds: hotFollowed,
        after: position,
        until: windowEnd,
        fanOutOnReadOnly: true,
        limit: need,
      }),
    ]);
    const seen = new Set<string>();
    const candidates = [...fannedOut, ...mergedAtRead.map(toPostDto)]
      .filter((p) => authors.has(p.userId) && !seen.has(p.id) && seen.add(p.id))
      .sort(newestFirst);
    out.push(...candidates.slice(0, need));
    if (out.length >= q.want || !windowEnd) return { posts: out };
    position = windowEnd;
    if (round >= MAX_ROUNDS) return { posts: out, resumeAt: position };
  }
}

/**
 * The reader's authors whose posts are merged at read time. Redis normally knows the hot authors, which spares
 * the MongoDB query for everyone who follows none; when it lost the list, MongoDB restores it.
 */
async function followedHotAuthors(
  deps: GetFeedDeps,
  known: ReadonlySet<string> | undefined,
  authorIds: string[],
): Promise<string[]> {
  let hot = known;
  if (!hot) {
    const all = await findHotAuthors(deps.posts);
    await deps.feeds.restoreHotAuthors(all);
    hot = new Set(all);
  }
  const isHot = hot;
  return authorIds.filter((id) => isHot.has(id));
}

async function rebuildThenRead(
  deps: GetFeedDeps,
  q: { userId: string; authorIds: string[]; after?: FeedEntry; want: number },
): Promise<FeedRead> {
  const built = await deps.feeds.rebuild(q.userId, (limit) =>
    listFeedEntries(deps.posts, { authorIds: q.authorIds, limit }),
  );
  if (!built) return { state: 'unavailable' };
  deps.log.info('home feed rebuilt', { userId: q.userId });
  return deps.feeds.read(q.userId, q.after, q.want);
}

async function fromMongo(
  deps: GetFeedDeps,
  authorIds: string[],
  after: FeedEntry | undefined,
  limit: number,
): Promise<PostDto[]> {
  return (await listVisiblePostsByAuthors(deps.posts, { authorIds, after, limit })).map(toPostDto);
}

/**
 * The posts behind feed entries, from what the feed's read found cached (`bodies`) and MongoDB for the rest;
 * entries of deleted posts are pruned from the set.
 */
async function hydrate(
  deps: GetFeedDeps,
  userId: string,
  entries: FeedEntry[],
  bodies: FeedPageRead['bodies'],
): Promise<PostDto[]> {
  const ids = entries.map((e) => e.id);
  const found = await deps.cache.posts(
    ids,
    async (missing) => (await findVisiblePostsByIds(deps.posts, missing)).map(toPostDto),
    bodies,
  );
  const gone = ids.filter((id) => !found.has(id));
  if (gone.length > 0) await deps.feeds.prune(userId, gone);
  return ids.flatMap((id) => {
    const post = found.get(id);
    return post ? [post] : [];
  });
}
