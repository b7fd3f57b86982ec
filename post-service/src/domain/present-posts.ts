import type { AuthorCache } from '../cache/author-cache';
import { findAuthors, type AuthorDto, type AuthorModel } from '../models/author.model';
import type { PostDto } from '../models/post.model';
import {
  withEngagement,
  withNoEngagementYet,
  type Engagement,
  type EngagementDeps,
  type PrefetchedEngagement,
} from './engagement';

/** A post as every post-service answer shows it. */
export interface PostView extends PostDto, Engagement {
  /** From the author projection; username and displayName are null until identity's profile event arrived. */
  author: { id: string; username: string | null; displayName: string | null };
}

export type PresentPostsDeps = Pick<EngagementDeps, 'posts' | 'likes' | 'engagementCache'> & {
  authors: AuthorModel;
  authorCache: AuthorCache;
};

/** Who is asking: likedByMe is theirs. */
export interface PresentPostsViewer {
  viewerId: string;
  /** Engagement already being looked up for (some of) these posts, for this viewer. */
  prefetched?: PrefetchedEngagement;
}

const authorsOf = (
  deps: Pick<PresentPostsDeps, 'authors' | 'authorCache'>,
  posts: PostDto[],
): Promise<Map<string, AuthorDto>> =>
  deps.authorCache.find([...new Set(posts.map((p) => p.userId))], (missing) =>
    findAuthors(deps.authors, missing),
  );

const withAuthor =
  (authors: Map<string, AuthorDto>) =>
  <P extends PostDto & Engagement>(post: P): PostView => ({
    ...post,
    author: authors.get(post.userId) ?? { id: post.userId, username: null, displayName: null },
  });

/**
 * The one place a stored post becomes what clients see (GET /:id, all-posts, feed, by-user): it joins the
 * author projection (remembered for seconds, else one query per answer) and the page's likes and comments for
 * the viewer (one Redis round trip, MongoDB for what it lacks), side by side, so every list shows the same post
 * the same way.
 */
export async function presentPosts(
  deps: PresentPostsDeps,
  posts: PostDto[],
  viewer: PresentPostsViewer,
): Promise<PostView[]> {
  const [authors, engaged] = await Promise.all([
    authorsOf(deps, posts),
    withEngagement(posts, viewer.viewerId, deps, viewer.prefetched),
  ]);
  return engaged.map(withAuthor(authors));
}

/** A post created a moment ago: its author, and no likes or comments yet (nothing to look up). */
export async function presentNewPost(
  deps: Pick<PresentPostsDeps, 'authors' | 'authorCache'>,
  post: PostDto,
): Promise<PostView> {
  return withAuthor(await authorsOf(deps, [post]))(withNoEngagementYet(post));
}
