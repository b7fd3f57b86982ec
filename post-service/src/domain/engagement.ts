import type { EngagementCache } from '../cache/engagement-cache';
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
 * Adds likeCount, commentCount and likedByMe to posts about to be sent to `viewerId`, for the whole page at once:
 * from the engagement cache (one Redis round trip), and what it lacks from MongoDB in two batched queries side
 * by side. They are never part of the cached post body, and every like or comment deletes its cache entries,
 * so a like shows in the very next read. Order and other fields (e.g. `author`) are kept.
 */
export async function withEngagement<P extends { id: string }>(
  posts: P[],
  viewerId: string,
  deps: Pick<EngagementDeps, 'posts' | 'likes' | 'engagementCache'>,
): Promise<(P & Engagement)[]> {
  if (posts.length === 0) return [];
  const { counts, liked } = await deps.engagementCache.lookup(
    posts.map((p) => p.id),
    viewerId,
    async (missing) => {
      const [counts, liked] = await Promise.all([
        findCountsOf(deps.posts, missing.counts),
        likedAmong(deps.likes, { userId: viewerId, postIds: missing.liked }),
      ]);
      return { counts, liked };
    },
  );
  return posts.map((p) => ({
    ...p,
    // A post deleted between loading the page and now reads as untouched rather than vanishing mid-page.
    likeCount: counts.get(p.id)?.likeCount ?? 0,
    commentCount: counts.get(p.id)?.commentCount ?? 0,
    likedByMe: liked.has(p.id),
  }));
}

/** A post created a moment ago has no likes or comments yet: nothing to look up. */
export const withNoEngagementYet = <P extends { id: string }>(post: P): P & Engagement => ({
  ...post,
  likeCount: 0,
  commentCount: 0,
  likedByMe: false,
});
