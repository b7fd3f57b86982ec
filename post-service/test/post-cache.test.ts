import request from 'supertest';
import { Registry } from '@social/common/metrics';
import {
  type CapturedLogger,
  captureLogger,
  createTestUser,
  newObjectId,
  silentLogger,
} from '@social/testkit/helpers';
import { createPostCache } from '../src/cache/post-cache';
import { arrange, buildPostInput, asCached } from './support/post-data';
import {
  CLOSED_REDIS_URL,
  startInfra,
  startPostApp,
  stopInfra,
  type PostTestEnv,
  type PostTestInfra,
} from './support/post-app';

const alice = createTestUser();

// The documented key formats (DESIGN §5) and the deleted marker, spelled out here rather than imported from
// src: other replicas and versions of the service share these keys, so a silent format change must fail.
const postKey = (id: string): string => `post:${id}`;
const LIST_VERSION_KEY = 'posts:list:version';
const listPageKey = (version: number, page: number, limit: number): string =>
  `posts:list:v${version}:${page}:${limit}`;
const DELETED_MARKER = 'deleted';

// The outage runs first: ioredis keeps a 2 s timer after closing a refused client, which then runs out
// while the other blocks run instead of delaying jest's exit.
describe('post cache (Redis down)', () => {
  let infra: PostTestInfra;
  let env: PostTestEnv;
  let captured: CapturedLogger;
  beforeAll(async () => {
    infra = await startInfra();
    captured = captureLogger('post-service');
    env = await startPostApp(infra, { cacheRedisUrl: CLOSED_REDIS_URL, log: captured.log });
  });
  afterAll(async () => {
    await env.close();
    await stopInfra(infra);
  });

  test('when Redis is unreachable, then create, read, list and delete still succeed from MongoDB', async () => {
    const created = await request(env.app)
      .post('/api/posts/create-post')
      .set(alice.auth)
      .send(buildPostInput());
    expect(created.status).toBe(201);
    const id = created.body.post.id as string;

    await request(env.app).get(`/api/posts/${id}`).set(alice.auth).expect(200);
    await request(env.app).get(`/api/posts/${id}`).set(alice.auth).expect(200);
    const list = await request(env.app).get('/api/posts/all-posts').set(alice.auth);
    const deleted = await request(env.app).delete(`/api/posts/${id}`).set(alice.auth);

    expect(list).toMatchObject({ status: 200, body: { totalPosts: 1, posts: [{ id }] } });
    expect(deleted.status).toBe(200);
    await request(env.app).get(`/api/posts/${id}`).set(alice.auth).expect(404);
  });

  test('when Redis is unreachable, then it is warned about once per outage and every failure is counted', async () => {
    const post = await arrange(env.app).createPost(alice);
    await request(env.app).get(`/api/posts/${post.id}`).set(alice.auth).expect(200);

    const metrics = await request(env.internal).get('/metrics');

    const warnings = captured.lines.filter((l) => l.message === 'cache unavailable, serving from mongo');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: 'warn', service: 'post-service', op: expect.any(String) });
    expect(metrics.text).toMatch(/post_cache_errors_total\{op="get-post"[^}]*\} [1-9]/);
  });

  test('when Redis is unreachable, then /ready stays 200 (the cache fails soft) and reports it degraded', async () => {
    const res = await request(env.internal).get('/ready');

    expect(res).toMatchObject({
      status: 200,
      body: { status: 'degraded', checks: { redis: 'down', mongo: 'up', rabbitmq: 'up' } },
    });
  });
});

describe('post cache (Redis up)', () => {
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

  const listVersion = async (): Promise<number> => Number((await env.redis.get(LIST_VERSION_KEY)) ?? 0);

  test('when a post is read, then it is stored under post:<id> for an hour', async () => {
    const post = await arrange(env.app).createPost(alice);

    await request(env.app).get(`/api/posts/${post.id}`).set(alice.auth).expect(200);

    // Author, counts and likedByMe are joined after the cache (presentPosts): a profile change or a like shows
    // without invalidating the post body.
    expect(JSON.parse((await env.redis.get(postKey(post.id))) ?? 'null')).toEqual(asCached(post));
    const ttl = await env.redis.ttl(postKey(post.id));
    expect(ttl).toBeGreaterThan(3500);
    expect(ttl).toBeLessThanOrEqual(3600);
  });

  test('when a post is read twice, then the second answer comes from Redis, not MongoDB', async () => {
    const post = await arrange(env.app).createPost(alice, { content: 'original' });
    await request(env.app).get(`/api/posts/${post.id}`).set(alice.auth).expect(200);
    // Change MongoDB behind the cache's back: only a cache hit can still answer "original".
    await env.posts.updateOne({ _id: post.id }, { $set: { content: 'changed in mongo' } });

    const res = await request(env.app).get(`/api/posts/${post.id}`).set(alice.auth);

    expect(res).toMatchObject({ status: 200, body: { post: { content: 'original' } } });
  });

  test('when cached entries predate posts carrying media, then they read back with media: []', async () => {
    // Arrange: a post and a list page as the previous version of the service cached them (no `media`).
    const { media: _none, ...old } = await arrange(env.app).createPost(alice, { content: 'cached before' });
    await env.redis.set(postKey(old.id), JSON.stringify(old));
    const page = { posts: [old], currentPage: 1, totalPages: 1, totalPosts: 1 };
    await env.redis.set(listPageKey(await listVersion(), 1, 1), JSON.stringify(page));
    // Act
    const one = await request(env.app).get(`/api/posts/${old.id}`).set(alice.auth);
    const list = await request(env.app).get('/api/posts/all-posts?page=1&limit=1').set(alice.auth);
    // Assert
    expect(one.body.post).toEqual({ ...old, media: [] });
    expect(list.body.posts).toEqual([{ ...old, media: [] }]);
  });

  test('when a list page is read, then it is cached under the current list version for 5 minutes', async () => {
    await arrange(env.app).createPost(alice);
    const version = await listVersion();

    const res = await request(env.app).get('/api/posts/all-posts?page=1&limit=3').set(alice.auth).expect(200);

    const key = listPageKey(version, 1, 3);
    expect(JSON.parse((await env.redis.get(key)) ?? 'null')).toEqual({
      posts: res.body.posts.map(asCached),
      currentPage: 1,
      totalPages: res.body.totalPages,
      totalPosts: res.body.totalPosts,
    });
    const ttl = await env.redis.ttl(key);
    expect(ttl).toBeGreaterThan(290);
    expect(ttl).toBeLessThanOrEqual(300);
  });

  test('when a post is created, then the list version goes up and the next list shows it', async () => {
    await request(env.app).get('/api/posts/all-posts').set(alice.auth).expect(200);
    const before = await listVersion();

    const post = await arrange(env.app).createPost(alice);

    expect(await listVersion()).toBe(before + 1);
    const res = await request(env.app).get('/api/posts/all-posts').set(alice.auth);
    expect(res.body.posts[0]).toEqual(post);
  });

  test('when a post is deleted, then post:<id> holds a deleted marker and the list version goes up', async () => {
    const post = await arrange(env.app).createPost(alice);
    await request(env.app).get(`/api/posts/${post.id}`).set(alice.auth).expect(200);
    await request(env.app).get('/api/posts/all-posts').set(alice.auth).expect(200);
    const before = await listVersion();

    await request(env.app).delete(`/api/posts/${post.id}`).set(alice.auth).expect(200);

    expect(await env.redis.get(postKey(post.id))).toBe(DELETED_MARKER);
    expect(await listVersion()).toBe(before + 1);
    await request(env.app).get(`/api/posts/${post.id}`).set(alice.auth).expect(404);
    const res = await request(env.app).get('/api/posts/all-posts').set(alice.auth);
    expect(res.body.posts.map((p: { id: string }) => p.id)).not.toContain(post.id);
  });

  test('when a read loads a post while it is being deleted, then the stale copy is not cached', async () => {
    const cache = createPostCache({
      redis: env.redis,
      log: silentLogger(),
      registry: new Registry(),
      postTtlSeconds: 3600,
      listTtlSeconds: 300,
    });
    const id = newObjectId();
    const stale = {
      id,
      userId: alice.id,
      content: 'gone',
      mediaIds: [],
      media: [],
      createdAt: '',
      updatedAt: '',
    };

    // The loader read MongoDB before the delete; the delete lands before the loader's answer is cached.
    await cache.post(id, async () => {
      await cache.postDeleted(id);
      return stale;
    });
    const loadAgain = jest.fn(async () => stale);
    const next = await cache.post(id, loadAgain);

    expect(next).toBeNull();
    expect(loadAgain).not.toHaveBeenCalled();
    expect(await env.redis.get(postKey(id))).toBe(DELETED_MARKER);
  });

  test('when a missing post is read, then nothing is cached', async () => {
    const id = 'a'.repeat(24);

    await request(env.app).get(`/api/posts/${id}`).set(alice.auth).expect(404);

    expect(await env.redis.exists(postKey(id))).toBe(0);
  });

  test('when reads hit and miss, then /metrics counts them', async () => {
    const post = await arrange(env.app).createPost(alice);
    await request(env.app).get(`/api/posts/${post.id}`).set(alice.auth).expect(200);
    await request(env.app).get(`/api/posts/${post.id}`).set(alice.auth).expect(200);

    const res = await request(env.internal).get('/metrics');

    expect(res.text).toMatch(/post_cache_lookups_total\{cache="post",result="hit"[^}]*\} [1-9]/);
    expect(res.text).toMatch(/post_cache_lookups_total\{cache="post",result="miss"[^}]*\} [1-9]/);
  });
});

describe('post cache (CACHE_ENABLED=false)', () => {
  let infra: PostTestInfra;
  let env: PostTestEnv;
  beforeAll(async () => {
    infra = await startInfra();
    env = await startPostApp(infra, { cacheEnabled: false });
  });
  afterAll(async () => {
    await env.close();
    await stopInfra(infra);
  });

  test('when caching is disabled, then every read comes from MongoDB and nothing is written to Redis', async () => {
    const post = await arrange(env.app).createPost(alice, { content: 'original' });
    await request(env.app).get(`/api/posts/${post.id}`).set(alice.auth).expect(200);
    await env.posts.updateOne({ _id: post.id }, { $set: { content: 'changed in mongo' } });

    const res = await request(env.app).get(`/api/posts/${post.id}`).set(alice.auth);

    expect(res.body.post.content).toBe('changed in mongo');
    expect(await env.redis.exists(postKey(post.id), LIST_VERSION_KEY)).toBe(0);
  });

  test('when caching is disabled, then /ready does not depend on Redis', async () => {
    const res = await request(env.internal).get('/ready');

    expect(res).toMatchObject({ status: 200, body: { checks: { mongo: 'up', rabbitmq: 'up' } } });
    expect(res.body.checks).not.toHaveProperty('redis');
  });
});
