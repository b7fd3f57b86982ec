import type { EngagementCache, EngagementLookup, EngagementRead } from '../cache/engagement-cache';
import type { CommentModel } from '../models/comment.model';
import { likedAmong, type LikeModel } from '../models/like.model';
import { findCountsOf } from '../models/post-engagement.model';
import type { PostModel } from '../models/post.model';

/** The stores likes and comments live in (the post's counters, the edges), and their read cache. */
export interface EngagementDeps {
  posts: PostModel;
  likes: LikeModel;
  comments: CommentModel;
  engagementCache: EngagementCache;
}

/** What every post carries for the viewer. */
export interface Engagement {
  likeCount: number;
  commentCount: number;
  likedByMe: boolean;
}

/**
 * A page's counters and likedByMe for `viewerId`: from the engagement cache (one Redis round trip), and what it
 * lacks from MongoDB in two batched queries side by side. They are never part of the cached post body, and every
 * like or comment deletes its cache entries, so a like shows in the very next read.
 */
export function lookupEngagement(
  postIds: string[],
  viewerId: string,
  deps: Pick<EngagementDeps, 'posts' | 'likes' | 'engagementCache'>,
  read?: EngagementRead,
): Promise<EngagementLookup> {
  if (postIds.length === 0) return Promise.resolve({ counts: new Map(), liked: new Set() });
  return deps.engagementCache.lookup(
    postIds,
    viewerId,
    async (missing) => {
      const [counts, liked] = await Promise.all([
        findCountsOf(deps.posts, missing.counts),
        likedAmong(deps.likes, { userId: viewerId, postIds: missing.liked }),
      ]);
      return { counts, liked };
    },
    read,
  );
}

/**
 * A lookup started before the page was final (the feed starts it from what its read found in Redis, beside
 * loading the post bodies): the ids it asked about, and its answer.
 */
export interface PrefetchedEngagement {
  postIds: ReadonlySet<string>;
  lookup: Promise<EngagementLookup>;
}

/** Starts a lookup now; a failure surfaces where the answer is awaited, never as an unhandled rejection. */
export function prefetchEngagement(
  postIds: string[],
  viewerId: string,
  deps: Pick<EngagementDeps, 'posts' | 'likes' | 'engagementCache'>,
  read?: EngagementRead,
): PrefetchedEngagement {
  const lookup = lookupEngagement(postIds, viewerId, deps, read);
  lookup.catch(() => undefined);
  return { postIds: new Set(postIds), lookup };
}

/**
 * Adds likeCount, commentCount and likedByMe to posts about to be sent to `viewerId`, for the whole page at once.
 * Posts a prefetched lookup covers are answered by it; the rest are looked up now. Order and other fields (e.g.
 * `author`) are kept.
 */
export async function withEngagement<P extends { id: string }>(
  posts: P[],
  viewerId: string,
  deps: Pick<EngagementDeps, 'posts' | 'likes' | 'engagementCache'>,
  prefetched?: PrefetchedEngagement,
): Promise<(P & Engagement)[]> {
  if (posts.length === 0) return [];
  const uncovered = posts.filter((p) => !prefetched?.postIds.has(p.id)).map((p) => p.id);
  const answers = await Promise.all([
    ...(prefetched ? [prefetched.lookup] : []),
    ...(uncovered.length > 0 ? [lookupEngagement(uncovered, viewerId, deps)] : []),
  ]);
  return posts.map((p) => {
    const counts = answers.find((a) => a.counts.has(p.id))?.counts.get(p.id);
    return {
      ...p,
      // A post deleted between loading the page and now reads as untouched rather than vanishing mid-page.
      likeCount: counts?.likeCount ?? 0,
      commentCount: counts?.commentCount ?? 0,
      likedByMe: answers.some((a) => a.liked.has(p.id)),
    };
  });
}

/** A post created a moment ago has no likes or comments yet: nothing to look up. */
export const withNoEngagementYet = <P extends { id: string }>(post: P): P & Engagement => ({
  ...post,
  likeCount: 0,
  commentCount: 0,
  likedByMe: false,
});
