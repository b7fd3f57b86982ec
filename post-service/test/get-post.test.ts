import request from 'supertest';
import { mongoose } from '@social/common/mongo';
import { createTestUser, newObjectId } from '@social/testkit/helpers';
import { arrange } from './support/post-data';
import {
  startInfra,
  startPostApp,
  stopInfra,
  type PostTestEnv,
  type PostTestInfra,
} from './support/post-app';

const { Types } = mongoose;
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

describe('GET /api/posts/:id', () => {
  test('when the post exists, then any signed-in user gets it', async () => {
    const post = await arrange(env.app).createPost(alice, { content: 'read me' });

    const res = await request(env.app).get(`/api/posts/${post.id}`).set(bob.auth);

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, post });
  });

  test('when a post was stored before posts carried media, then it reads back with media: []', async () => {
    const id = newObjectId();
    const at = new Date();
    await env.posts.collection.insertOne({
      _id: new Types.ObjectId(id),
      userId: alice.id,
      content: 'from before',
      mediaIds: [newObjectId()],
      deletedAt: null,
      pendingEvents: [],
      createdAt: at,
      updatedAt: at,
    });

    const res = await request(env.app).get(`/api/posts/${id}`).set(bob.auth);

    expect(res).toMatchObject({ status: 200, body: { post: { id, content: 'from before', media: [] } } });
  });

  test('when the id is uppercase hex, then it finds the same post', async () => {
    const post = await arrange(env.app).createPost(alice);

    const res = await request(env.app).get(`/api/posts/${post.id.toUpperCase()}`).set(alice.auth);

    expect(res).toMatchObject({ status: 200, body: { post: { id: post.id } } });
  });

  test('when no post has the id, then 404', async () => {
    const res = await request(env.app).get(`/api/posts/${newObjectId()}`).set(alice.auth);

    expect(res.status).toBe(404);
    expect(res.body).toEqual({ success: false, message: 'Post not found', requestId: expect.any(String) });
  });

  test.each(['123', 'not-an-object-id-at-all!', 'g'.repeat(24)])(
    'when the id is %s, then 400',
    async (id) => {
      const res = await request(env.app).get(`/api/posts/${id}`).set(alice.auth);

      expect(res).toMatchObject({
        status: 400,
        body: {
          success: false,
          details: expect.arrayContaining([expect.objectContaining({ path: 'params.id' })]),
        },
      });
    },
  );

  test('when the post was deleted, then 404 even before the relay removed it', async () => {
    const post = await arrange(env.app).createPost(alice);
    await env.relay.stop(); // keep the soft-deleted document in place
    await request(env.app).delete(`/api/posts/${post.id}`).set(alice.auth).expect(200);
    expect(await env.posts.countDocuments({ _id: post.id })).toBe(1);

    const res = await request(env.app).get(`/api/posts/${post.id}`).set(alice.auth);

    expect(res.status).toBe(404);
  });

  test('when there is no token, then 401', async () => {
    const res = await request(env.app).get(`/api/posts/${newObjectId()}`);

    expect(res.status).toBe(401);
  });
});
