import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import request from 'supertest';
import type { TestUser } from '@social/testkit/helpers';
import type { PostView } from '../../src/domain/present-posts';

/** A post as the API serves it. */
export type ServedPost = PostView;

export interface CreatePostInput {
  content: string;
  mediaIds: string[];
}

export const buildPostInput = (o: Partial<CreatePostInput> = {}): CreatePostInput => ({
  content: `post ${randomUUID()}`,
  mediaIds: [],
  ...o,
});

/** Arrange helpers: create data through the API, the way a client would. */
export const arrange = (app: Express) => ({
  async createPost(user: TestUser, o: Partial<CreatePostInput> = {}): Promise<ServedPost> {
    const res = await request(app).post('/api/posts/create-post').set(user.auth).send(buildPostInput(o));
    if (res.status !== 201) throw new Error(`arrange.createPost: ${res.status} ${JSON.stringify(res.body)}`);
    return (res.body as { post: ServedPost }).post;
  },
});

/** A served post as the post cache holds it: author, counts and likedByMe are joined on every read, never cached. */
export function asCached<
  P extends { author?: unknown; likeCount?: unknown; commentCount?: unknown; likedByMe?: unknown },
>(post: P): Omit<P, 'author' | 'likeCount' | 'commentCount' | 'likedByMe'> {
  const { author: _author, likeCount: _likes, commentCount: _comments, likedByMe: _mine, ...body } = post;
  return body;
}
