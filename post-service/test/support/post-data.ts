import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import request from 'supertest';
import type { TestUser } from '@social/testkit/helpers';
import type { PostView } from '../../src/domain/present-posts';

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
  async createPost(user: TestUser, o: Partial<CreatePostInput> = {}): Promise<PostView> {
    const res = await request(app).post('/api/posts/create-post').set(user.auth).send(buildPostInput(o));
    if (res.status !== 201) throw new Error(`arrange.createPost: ${res.status} ${JSON.stringify(res.body)}`);
    return (res.body as { post: PostView }).post;
  },
});
