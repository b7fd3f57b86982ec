import request from 'supertest';
import { createTestUser, newObjectId, waitFor } from '@social/testkit/helpers';
import { arrange } from './support/post-data';
import {
  startInfra,
  startPostApp,
  stopInfra,
  type PostTestEnv,
  type PostTestInfra,
} from './support/post-app';

let infra: PostTestInfra;
let env: PostTestEnv;
const alice = createTestUser();
const bob = createTestUser();

beforeAll(async () => {
  infra = await startInfra();
  env = await startPostApp(infra);
});
afterAll(async () => {
  await env.close();
  await stopInfra(infra);
});

describe('DELETE /api/posts/:id', () => {
  test('when the author deletes, then 200 and the post is gone', async () => {
    const post = await arrange(env.app).createPost(alice);

    const res = await request(env.app).delete(`/api/posts/${post.id}`).set(alice.auth);

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, message: 'Post deleted' });
    await request(env.app).get(`/api/posts/${post.id}`).set(alice.auth).expect(404);
  });

  test('when the author deletes, then the document is removed once post.deleted went out', async () => {
    const post = await arrange(env.app).createPost(alice);

    await request(env.app).delete(`/api/posts/${post.id}`).set(alice.auth).expect(200);

    await waitFor(async () => (await env.posts.countDocuments({ _id: post.id })) === 0, {
      description: 'post hard-deleted by the relay',
    });
  });

  test('when someone other than the author deletes, then 404 and the post stays', async () => {
    const post = await arrange(env.app).createPost(alice);

    const res = await request(env.app).delete(`/api/posts/${post.id}`).set(bob.auth);

    expect(res).toMatchObject({ status: 404, body: { success: false, message: 'Post not found' } });
    await request(env.app).get(`/api/posts/${post.id}`).set(alice.auth).expect(200);
  });

  test('when no post has the id, then the same 404 as for someone else’s post', async () => {
    const res = await request(env.app).delete(`/api/posts/${newObjectId()}`).set(alice.auth);

    expect(res).toMatchObject({ status: 404, body: { success: false, message: 'Post not found' } });
  });

  test('when deleted twice, then the second answer is 404', async () => {
    const post = await arrange(env.app).createPost(alice);
    await request(env.app).delete(`/api/posts/${post.id}`).set(alice.auth).expect(200);

    const res = await request(env.app).delete(`/api/posts/${post.id}`).set(alice.auth);

    expect(res.status).toBe(404);
  });

  test('when the id is malformed, then 400', async () => {
    const res = await request(env.app).delete('/api/posts/xyz').set(alice.auth);

    expect(res).toMatchObject({
      status: 400,
      body: {
        success: false,
        details: expect.arrayContaining([expect.objectContaining({ path: 'params.id' })]),
      },
    });
  });

  test('when there is no token, then 401 and the post stays', async () => {
    const post = await arrange(env.app).createPost(alice);

    const res = await request(env.app).delete(`/api/posts/${post.id}`).set('x-user-id', alice.id);

    expect(res.status).toBe(401);
    await request(env.app).get(`/api/posts/${post.id}`).set(alice.auth).expect(200);
  });
});
