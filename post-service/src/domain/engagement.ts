import type { CommentModel } from '../models/comment.model';
import { likedAmong, type LikeModel } from '../models/like.model';
import { findCountsOf } from '../models/post-engagement.model';
import type { PostModel } from '../models/post.model';

/** The stores likes and comments live in (the post's counters, the edges). */
export interface EngagementDeps {
  posts: PostModel;
  likes: LikeModel;
  comments: CommentModel;
}

/** What every post carries for the viewer. */
export interface Engagement {
  likeCount: number;
  commentCount: number;
  likedByMe: boolean;
}

/**
 * Adds likeCount, commentCount and likedByMe to posts about to be sent to `viewerId`: two indexed queries
 * for the whole page, run side by side. They are read live, never from the Redis post cache, so a like shows
 * in the very next read while the cached post body stays valid for its whole TTL. Order and other fields
 * (e.g. `author`) are kept.
 */
export async function withEngagement<P extends { id: string }>(
  posts: P[],
  viewerId: string,
  deps: Pick<EngagementDeps, 'posts' | 'likes'>,
): Promise<(P & Engagement)[]> {
  if (posts.length === 0) return [];
  const ids = posts.map((p) => p.id);
  const [counts, liked] = await Promise.all([
    findCountsOf(deps.posts, ids),
    likedAmong(deps.likes, { userId: viewerId, postIds: ids }),
  ]);
  return posts.map((p) => ({
    ...p,
    // A post deleted between loading the page and now reads as untouched rather than vanishing mid-page.
    likeCount: counts.get(p.id)?.likeCount ?? 0,
    commentCount: counts.get(p.id)?.commentCount ?? 0,
    likedByMe: liked.has(p.id),
  }));
}

/** withEngagement for a single post. */
export async function withEngagementOne<P extends { id: string }>(
  post: P,
  viewerId: string,
  deps: Pick<EngagementDeps, 'posts' | 'likes'>,
): Promise<P & Engagement> {
  const [engaged] = await withEngagement([post], viewerId, deps);
  if (!engaged) throw new Error('withEngagement dropped a post');
  return engaged;
}
