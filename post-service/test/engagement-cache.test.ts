import request from 'supertest';
import { captureLogger, createTestUser, type TestUser } from '@social/testkit/helpers';
import { arrange } from './support/post-data';
import {
  CLOSED_REDIS_URL,
  startInfra,
  startPostApp,
  stopInfra,
  type PostTestEnv,
  type PostTestInfra,
} from './support/post-app';

const alice = createTestUser();
const bob = createTestUser();

// The key formats, spelled out rather than imported: other replicas share them.
const countsKey = (postId: string): string => `eng:counts:${postId}`;
const likedKey = (userId: string): string => `eng:liked:${userId}`;

const read = (env: PostTestEnv, user: TestUser, postId: string) =>
  request(env.app).get(`/api/posts/${postId}`).set(user.auth);
const like = (env: PostTestEnv, user: TestUser, postId: string) =>
  request(env.app).put(`/api/posts/${postId}/like`).set(user.auth);

// The outage runs first (see post-cache.test.ts: ioredis' late timer after a refused client).
describe('engagement cache (Redis down)', () => {
  test('when Redis is unreachable, then likes, comments and reads still answer exactly from MongoDB', async () => {
    const infra = await startInfra();
    const env = await startPostApp(infra, {
      cacheRedisUrl: CLOSED_REDIS_URL,
      log: captureLogger('post-service').log,
    });
    try {
      const post = await arrange(env.app).createPost(alice);

      await like(env, bob, post.id).expect(200);
      await request(env.app)
        .post(`/api/posts/${post.id}/comments`)
        .set(bob.auth)
        .send({ content: 'hi' })
        .expect(201);
      const res = await read(env, bob, post.id);

      expect(res.body.post).toMatchObject({ likeCount: 1, commentCount: 1, likedByMe: true });
    } finally {
      await env.close();
      await stopInfra(infra);
    }
  });
});

describe('engagement cache (Redis up)', () => {
  let infra: PostTestInfra;
  let env: PostTestEnv;
  beforeAll(async () => {
    infra = await startInfra();
    env = await startPostApp(infra);
  });
  afterAll(async () => {
    await env.close();
    await stopInfra(infra);
  });

  test('when a post is read, then its counters and the viewer’s likedByMe are cached', async () => {
    const post = await arrange(env.app).createPost(alice);
    await like(env, bob, post.id).expect(200);

    await read(env, bob, post.id).expect(200);

    expect(await env.redis.get(countsKey(post.id))).toBe('1,0');
    expect(await env.redis.hget(likedKey(bob.id), post.id)).toBe('1');
    expect(await env.redis.ttl(likedKey(bob.id))).toBeGreaterThan(0);
  });

  test('when a post is read twice, then the second answer comes from Redis, not MongoDB', async () => {
    const post = await arrange(env.app).createPost(alice);
    await read(env, bob, post.id).expect(200);
    // Change MongoDB behind the cache's back: only a cache hit can still answer 0.
    await env.posts.updateOne({ _id: post.id }, { $set: { likeCount: 42 } });

    const res = await read(env, bob, post.id);

    expect(res.body.post).toMatchObject({ likeCount: 0, likedByMe: false });
  });

  test('when a like lands while a read is loading from MongoDB, then the read’s old answer is not kept', async () => {
    // Arrange: a read that has claimed its entries and is "in MongoDB" while bob likes the post.
    const post = await arrange(env.app).createPost(alice);
    const stale = await env.engagementCache.lookup([post.id], bob.id, async () => {
      await like(env, bob, post.id).expect(200);
      return { counts: new Map([[post.id, { likeCount: 0, commentCount: 0 }]]), liked: new Set<string>() };
    });
    // Act
    const res = await read(env, bob, post.id);
    // Assert: the racing read answered what it saw, but the next read sees the like.
    expect(stale.counts.get(post.id)).toEqual({ likeCount: 0, commentCount: 0 });
    expect(res.body.post).toMatchObject({ likeCount: 1, likedByMe: true });
  });

  test('when a comment is added or deleted, then the next read of a cached post counts it', async () => {
    const post = await arrange(env.app).createPost(alice);
    await read(env, bob, post.id).expect(200);

    const added = await request(env.app)
      .post(`/api/posts/${post.id}/comments`)
      .set(bob.auth)
      .send({ content: 'hi' });
    const afterAdd = await read(env, bob, post.id);
    await request(env.app)
      .delete(`/api/posts/${post.id}/comments/${added.body.comment.id}`)
      .set(bob.auth)
      .expect(200);
    const afterDelete = await read(env, bob, post.id);

    expect(afterAdd.body.post.commentCount).toBe(1);
    expect(afterDelete.body.post.commentCount).toBe(0);
  });

  test('when another user likes a cached post, then my likedByMe stays and the count moves', async () => {
    const post = await arrange(env.app).createPost(alice);
    await like(env, bob, post.id).expect(200);
    await read(env, bob, post.id).expect(200);

    await like(env, alice, post.id).expect(200);

    expect((await read(env, bob, post.id)).body.post).toMatchObject({ likeCount: 2, likedByMe: true });
  });

  test('when a claim was left behind by a crashed read, then a later read fills the entry after it expired', async () => {
    const post = await arrange(env.app).createPost(alice);
    await like(env, bob, post.id).expect(200);
    await env.redis.hset(likedKey(bob.id), post.id, 'pending:deadbeef:1'); // a claim that expired long ago

    const res = await read(env, bob, post.id);

    expect(res.body.post.likedByMe).toBe(true);
    expect(await env.redis.hget(likedKey(bob.id), post.id)).toBe('1');
  });

  test('when a viewer’s likedByMe hash grows past 2000 posts, then it is dropped instead of growing on', async () => {
    const carol = createTestUser();
    const post = await arrange(env.app).createPost(alice);
    await like(env, carol, post.id).expect(200);
    const filler = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`filler${i}`, '0']));
    await env.redis.hset(likedKey(carol.id), filler);

    const res = await read(env, carol, post.id);

    expect(res.body.post.likedByMe).toBe(true);
    expect(await env.redis.exists(likedKey(carol.id))).toBe(0);
  });

  test('when pages are read, then /metrics counts engagement cache hits and misses', async () => {
    const post = await arrange(env.app).createPost(alice);

    await read(env, bob, post.id).expect(200);
    await read(env, bob, post.id).expect(200);

    const metrics = await request(env.internal).get('/metrics');
    expect(metrics.text).toMatch(/post_engagement_cache_lookups_total\{[^}]*result="hit"[^}]*\} [1-9]/);
    expect(metrics.text).toMatch(/post_engagement_cache_lookups_total\{[^}]*result="miss"[^}]*\} [1-9]/);
  });
});
