import { paginate, type PageQuery } from '@social/common/http';
import type { PostCache, PostPage } from '../cache/post-cache';
import { listVisiblePosts, toPostDto, type PostModel } from '../models/post.model';

export interface ListPostsDeps {
  posts: PostModel;
  cache: PostCache;
}

/** Newest first; a page past the end is empty, and with no posts at all totalPages is 0. */
export async function listPosts(deps: ListPostsDeps, query: PageQuery): Promise<PostPage> {
  return deps.cache.page(query, async () => {
    const { skip } = paginate(query);
    const { posts, total } = await listVisiblePosts(deps.posts, { skip, limit: query.limit });
    return {
      posts: posts.map(toPostDto),
      currentPage: query.page,
      totalPages: paginate(query, total).totalPages,
      totalPosts: total,
    };
  });
}
