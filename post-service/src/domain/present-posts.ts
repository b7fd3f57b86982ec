import { findAuthors, type AuthorDto, type AuthorModel } from '../models/author.model';
import type { PostDto } from '../models/post.model';

/** A post as every post-service answer shows it. */
export interface PostView extends PostDto {
  /** From the author projection; username and displayName are null until identity's profile event arrived. */
  author: { id: string; username: string | null; displayName: string | null };
}

export interface PresentPostsDeps {
  authors: AuthorModel;
}

/** Who is asking; per-viewer fields (likedByMe) will hang off it. */
export interface PresentPostsViewer {
  viewerId: string;
}

/**
 * The one place a stored post becomes what clients see (GET /:id, all-posts, feed, by-user): it joins the
 * author projection, in one query per answer. Counts and per-viewer fields belong here too, so every list
 * shows the same post the same way.
 */
export async function presentPosts(
  deps: PresentPostsDeps,
  posts: PostDto[],
  _viewer: PresentPostsViewer,
): Promise<PostView[]> {
  const authorIds = [...new Set(posts.map((p) => p.userId))];
  const byId = new Map<string, AuthorDto>((await findAuthors(deps.authors, authorIds)).map((a) => [a.id, a]));
  return posts.map((post) => ({
    ...post,
    author: byId.get(post.userId) ?? { id: post.userId, username: null, displayName: null },
  }));
}
