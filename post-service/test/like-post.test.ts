import request from 'supertest';
import { createTestUser, newObjectId, type TestUser } from '@social/testkit/helpers';
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

const like = (user: TestUser, postId: string) =>
  request(env.app).put(`/api/posts/${postId}/like`).set(user.auth);
const unlike = (user: TestUser, postId: string) =>
  request(env.app).delete(`/api/posts/${postId}/like`).set(user.auth);
const read = (user: TestUser, postId: string) => request(env.app).get(`/api/posts/${postId}`).set(user.auth);

describe('PUT /api/posts/:id/like', () => {
  test('when a user likes a post, then 200 {liked: true, likeCount: 1} and the edge is stored', async () => {
    const post = await arrange(env.app).createPost(alice);

    const res = await like(bob, post.id);

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, liked: true, likeCount: 1 });
    expect(await env.likes.countDocuments({ postId: post.id, userId: bob.id })).toBe(1);
  });

  test('when the same user likes twice, then the second answer is the same and nothing moves', async () => {
    const post = await arrange(env.app).createPost(alice);
    await like(bob, post.id).expect(200);

    const res = await like(bob, post.id);

    expect(res.body).toEqual({ success: true, liked: true, likeCount: 1 });
    expect(await env.likes.countDocuments({ postId: post.id })).toBe(1);
  });

  test('when the author likes their own post, then it counts like anyone else’s like', async () => {
    const post = await arrange(env.app).createPost(alice);

    const res = await like(alice, post.id);

    expect(res.body).toEqual({ success: true, liked: true, likeCount: 1 });
  });

  test('when no post has the id, then 404 and no like is stored', async () => {
    const id = newObjectId();

    const res = await like(bob, id);

    expect(res.status).toBe(404);
    expect(res.body).toEqual({ success: false, message: 'Post not found', requestId: expect.any(String) });
    expect(await env.likes.countDocuments({ postId: id })).toBe(0);
  });

  test('when the post is deleted but not yet removed by the relay, then 404 and no like is stored', async () => {
    const post = await arrange(env.app).createPost(alice);
    await env.relay.stop(); // keep the soft-deleted document in place
    await request(env.app).delete(`/api/posts/${post.id}`).set(alice.auth).expect(200);

    const res = await like(bob, post.id);

    expect(res.status).toBe(404);
    expect(await env.likes.countDocuments({ postId: post.id })).toBe(0);
  });

  test.each(['123', 'not-an-id', 'g'.repeat(24)])('when the id is %s, then 400', async (id) => {
    const res = await like(bob, id);

    expect(res).toMatchObject({
      status: 400,
      body: {
        success: false,
        requestId: expect.any(String),
        details: [expect.objectContaining({ path: 'params.id' })],
      },
    });
  });

  test('when there is no token, then 401 and no like is stored', async () => {
    const post = await arrange(env.app).createPost(alice);

    const res = await request(env.app).put(`/api/posts/${post.id}/like`).set('x-user-id', bob.id);

    expect(res.status).toBe(401);
    expect(await env.likes.countDocuments({ postId: post.id })).toBe(0);
  });
});

describe('DELETE /api/posts/:id/like', () => {
  test('when a user unlikes a post they like, then 200 {liked: false} and the count drops', async () => {
    const post = await arrange(env.app).createPost(alice);
    await like(bob, post.id).expect(200);
    await like(alice, post.id).expect(200);

    const res = await unlike(bob, post.id);

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, liked: false, likeCount: 1 });
    expect(await env.likes.countDocuments({ postId: post.id, userId: bob.id })).toBe(0);
  });

  test('when a user unlikes a post they never liked, then 200 and nothing moves', async () => {
    const post = await arrange(env.app).createPost(alice);
    await like(alice, post.id).expect(200);

    const res = await unlike(bob, post.id);

    expect(res.body).toEqual({ success: true, liked: false, likeCount: 1 });
  });

  test('when no post has the id, then 404', async () => {
    const res = await unlike(bob, newObjectId());

    expect(res).toMatchObject({ status: 404, body: { success: false, message: 'Post not found' } });
  });

  test('when the id is malformed, then 400', async () => {
    const res = await unlike(bob, 'xyz');

    expect(res).toMatchObject({
      status: 400,
      body: { details: [expect.objectContaining({ path: 'params.id' })] },
    });
  });
});

describe('likes under concurrency', () => {
  test('when 30 users like at once, then the count is exactly 30', async () => {
    const post = await arrange(env.app).createPost(alice);
    const users = Array.from({ length: 30 }, () => createTestUser());

    const answers = await Promise.all(users.map((u) => like(u, post.id)));

    expect(answers.every((r) => r.status === 200 && r.body.liked === true)).toBe(true);
    expect((await read(alice, post.id)).body.post.likeCount).toBe(30);
    expect(await env.likes.countDocuments({ postId: post.id })).toBe(30);
  });

  test('when 30 users like and unlike at once, then the count equals the likes left', async () => {
    // Arrange: 30 users, of whom the first 15 already like the post.
    const post = await arrange(env.app).createPost(alice);
    const users = Array.from({ length: 30 }, () => createTestUser());
    await Promise.all(users.slice(0, 15).map((u) => like(u, post.id).expect(200)));
    // Act: the first 15 unlike while the other 15 like, each twice, all at once.
    await Promise.all(
      users.flatMap((u, i) =>
        i < 15 ? [unlike(u, post.id), unlike(u, post.id)] : [like(u, post.id), like(u, post.id)],
      ),
    );
    // Assert
    const stored = await env.likes.countDocuments({ postId: post.id });
    expect(stored).toBe(15);
    expect((await read(alice, post.id)).body.post.likeCount).toBe(15);
  });

  test('when the same user likes 10 times at once, then one like is stored and the count is 1', async () => {
    const post = await arrange(env.app).createPost(alice);

    const answers = await Promise.all(Array.from({ length: 10 }, () => like(bob, post.id)));

    expect(answers.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(await env.likes.countDocuments({ postId: post.id })).toBe(1);
    expect((await read(alice, post.id)).body.post.likeCount).toBe(1);
  });

  test('when the same user likes and unlikes 10 times each at once, then count and edge agree', async () => {
    const post = await arrange(env.app).createPost(alice);

    await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? unlike(bob, post.id) : like(bob, post.id))),
    );

    const stored = await env.likes.countDocuments({ postId: post.id });
    expect((await read(alice, post.id)).body.post).toMatchObject({ likeCount: stored, likedByMe: false });
    expect((await read(bob, post.id)).body.post).toMatchObject({
      likeCount: stored,
      likedByMe: stored === 1,
    });
  });
});

describe('engagement on served posts', () => {
  test('when a cached post is liked, then the very next read shows the like, and likedByMe only to the liker', async () => {
    // Arrange: the post is read once, so its body is in the Redis cache.
    const post = await arrange(env.app).createPost(alice);
    await read(alice, post.id).expect(200);
    // Act
    await like(bob, post.id).expect(200);
    // Assert
    expect((await read(bob, post.id)).body.post).toMatchObject({
      id: post.id,
      likeCount: 1,
      likedByMe: true,
    });
    expect((await read(alice, post.id)).body.post).toMatchObject({ likeCount: 1, likedByMe: false });
  });

  test('when a post is unliked, then the next read shows it', async () => {
    const post = await arrange(env.app).createPost(alice);
    await like(bob, post.id).expect(200);
    await read(bob, post.id).expect(200);

    await unlike(bob, post.id).expect(200);

    expect((await read(bob, post.id)).body.post).toMatchObject({ likeCount: 0, likedByMe: false });
  });

  test('when a page of posts is listed, then each carries its own counts and likedByMe', async () => {
    // Arrange: a cached list page, then likes and a comment on two of its posts.
    const [first, second, third] = [
      await arrange(env.app).createPost(alice),
      await arrange(env.app).createPost(alice),
      await arrange(env.app).createPost(bob),
    ];
    const list = () => request(env.app).get('/api/posts/all-posts?limit=3').set(bob.auth);
    await list().expect(200);
    await like(bob, first!.id).expect(200);
    await like(alice, first!.id).expect(200);
    await like(alice, third!.id).expect(200);
    await request(env.app)
      .post(`/api/posts/${second!.id}/comments`)
      .set(bob.auth)
      .send({ content: 'hi' })
      .expect(201);
    // Act
    const res = await list();
    // Assert
    expect(res.body.posts).toEqual([
      expect.objectContaining({ id: third!.id, likeCount: 1, commentCount: 0, likedByMe: false }),
      expect.objectContaining({ id: second!.id, likeCount: 0, commentCount: 1, likedByMe: false }),
      expect.objectContaining({ id: first!.id, likeCount: 2, commentCount: 0, likedByMe: true }),
    ]);
  });

  test('when a post is created, then it carries zero counts and likedByMe false', async () => {
    const res = await request(env.app)
      .post('/api/posts/create-post')
      .set(alice.auth)
      .send({ content: 'fresh' });

    expect(res.body.post).toMatchObject({ likeCount: 0, commentCount: 0, likedByMe: false });
  });

  test('when a post stored before posts had counters is read, then it shows zero counts', async () => {
    const post = await arrange(env.app).createPost(alice);
    await env.posts.collection.updateOne(
      { _id: new env.posts.base.Types.ObjectId(post.id) },
      { $unset: { likeCount: '', commentCount: '' } },
    );

    const res = await read(bob, post.id);

    expect(res.body.post).toMatchObject({ likeCount: 0, commentCount: 0, likedByMe: false });
  });

  test('when a like does not change the post, then its updatedAt stays', async () => {
    const post = await arrange(env.app).createPost(alice);

    await like(bob, post.id).expect(200);

    expect((await read(bob, post.id)).body.post.updatedAt).toBe(post.updatedAt);
  });
});
