import request from 'supertest';
import { createTestUser } from '@social/testkit/helpers';
import { arrange } from './support/post-data';
import {
  CLOSED_REDIS_URL,
  startInfra,
  startPostApp,
  stopInfra,
  type PostTestEnv,
  type PostTestInfra,
} from './support/post-app';
import { allPages, feedIds, follow, getFeed, unfollow } from './support/user-events';

let infra: PostTestInfra;
let env: PostTestEnv;

beforeAll(async () => {
  infra = await startInfra();
  env = await startPostApp(infra, { cacheRedisUrl: CLOSED_REDIS_URL });
});
afterAll(async () => {
  await env.close();
  await stopInfra(infra);
});

describe('GET /api/posts/feed while Redis is down', () => {
  test('when Redis is unreachable, then the feed is served from MongoDB: own and followed posts, in order', async () => {
    // Arrange
    const [alice, bob, stranger] = [createTestUser(), createTestUser(), createTestUser()];
    await follow(env, bob, alice);
    const ids = [
      (await arrange(env.app).createPost(alice)).id,
      (await arrange(env.app).createPost(bob)).id,
      (await arrange(env.app).createPost(alice)).id,
    ];
    await arrange(env.app).createPost(stranger);
    // Act
    const pages = await allPages((q) => getFeed(env.app, bob, q), 2);
    // Assert
    expect(pages).toEqual([[ids[2], ids[1]], [ids[0]]]);
  });

  test('when Redis is unreachable, then unfollow and delete still show on the next read', async () => {
    // Arrange
    const [alice, bob] = [createTestUser(), createTestUser()];
    await follow(env, bob, alice);
    const [a1, a2] = [await arrange(env.app).createPost(alice), await arrange(env.app).createPost(alice)];
    expect(await feedIds(env.app, bob)).toEqual([a2.id, a1.id]);
    // Act
    await request(env.app).delete(`/api/posts/${a2.id}`).set(alice.auth).expect(200);
    const afterDelete = await feedIds(env.app, bob);
    await unfollow(env, bob, alice);
    // Assert
    expect(afterDelete).toEqual([a1.id]);
    expect(await feedIds(env.app, bob)).toEqual([]);
  });
});
