import { NotFoundError } from '@social/common/http';
import type { PostCache } from '../cache/post-cache';
import { findVisiblePost, toPostDto, type PostDto, type PostModel } from '../models/post.model';

export interface GetPostDeps {
  posts: PostModel;
  cache: PostCache;
}

export async function getPost(deps: GetPostDeps, query: { postId: string }): Promise<PostDto> {
  const post = await deps.cache.post(query.postId, async () => {
    const found = await findVisiblePost(deps.posts, query.postId);
    return found && toPostDto(found);
  });
  if (!post) throw new NotFoundError('Post not found');
  return post;
}
