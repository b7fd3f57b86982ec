import request from 'supertest';
import { createTestUser } from '@social/testkit/helpers';
import { arrange } from './support/post-data';
import {
  startInfra,
  startPostApp,
  stopInfra,
  type PostTestEnv,
  type PostTestInfra,
} from './support/post-app';

const alice = createTestUser();

/** Two post-service replicas: two apps with their own Redis clients on one Redis, key prefix and database. */
let infra: PostTestInfra;
let one: PostTestEnv;
let two: PostTestEnv;

beforeAll(async () => {
  infra = await startInfra();
  [one, two] = await Promise.all([startPostApp(infra), startPostApp(infra)]);
});
afterAll(async () => {
  await Promise.all([one.close(), two.close()]);
  await stopInfra(infra);
});

const postHits = async (env: PostTestEnv): Promise<number> => {
  const metric = await env.metrics.registry.getSingleMetric('post_cache_lookups_total')?.get();
  return metric?.values.find((v) => v.labels.cache === 'post' && v.labels.result === 'hit')?.value ?? 0;
};

describe('post cache shared by two replicas (one Redis)', () => {
  test('when one replica has cached a post, then the other answers it from the cache', async () => {
    // Arrange
    const post = await arrange(one.app).createPost(alice, { content: 'original' });
    await request(one.app).get(`/api/posts/${post.id}`).set(alice.auth).expect(200);
    // Change MongoDB behind the cache's back: only a hit on the shared entry can still answer "original".
    await one.posts.updateOne({ _id: post.id }, { $set: { content: 'changed in mongo' } });
    const hitsBefore = await postHits(two);

    // Act
    const res = await request(two.app).get(`/api/posts/${post.id}`).set(alice.auth);

    // Assert
    expect(res).toMatchObject({ status: 200, body: { post: { id: post.id, content: 'original' } } });
    expect(await postHits(two)).toBe(hitsBefore + 1);
  });

  test('when a post is deleted through one replica, then the other stops serving it at once', async () => {
    // Arrange: both replicas have read it, so it sits in the shared cache.
    const post = await arrange(one.app).createPost(alice);
    await request(one.app).get(`/api/posts/${post.id}`).set(alice.auth).expect(200);
    await request(two.app).get(`/api/posts/${post.id}`).set(alice.auth).expect(200);

    // Act
    await request(two.app).delete(`/api/posts/${post.id}`).set(alice.auth).expect(200);

    // Assert
    await request(one.app).get(`/api/posts/${post.id}`).set(alice.auth).expect(404);
  });

  test('when a post is created through one replica, then the list page the other had cached shows it', async () => {
    // Arrange
    await arrange(one.app).createPost(alice);
    await request(one.app).get('/api/posts/all-posts?page=1&limit=1').set(alice.auth).expect(200);

    // Act
    const created = await arrange(two.app).createPost(alice);
    const list = await request(one.app).get('/api/posts/all-posts?page=1&limit=1').set(alice.auth);

    // Assert
    expect(list).toMatchObject({ status: 200, body: { posts: [{ id: created.id }] } });
  });
});
