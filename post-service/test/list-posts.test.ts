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

// Every test gets an empty database: totals and page counts are the behaviour under test.
let infra: PostTestInfra;
let env: PostTestEnv;
const alice = createTestUser();
const bob = createTestUser();

beforeEach(async () => {
  infra = await startInfra();
  env = await startPostApp(infra);
});
afterEach(async () => {
  await env.close();
  await stopInfra(infra);
});

const list = (query: Record<string, string | number> = {}) =>
  request(env.app).get('/api/posts/all-posts').query(query).set(alice.auth);

async function createPosts(count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push((await arrange(env.app).createPost(i % 2 ? bob : alice)).id);
  return ids;
}

describe('GET /api/posts/all-posts', () => {
  test('when there are no posts, then an empty first page with totalPages 0', async () => {
    const res = await list();

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, posts: [], currentPage: 1, totalPages: 0, totalPosts: 0 });
  });

  test('when posts exist, then every author’s posts come newest first with defaults page 1, limit 10', async () => {
    const ids = await createPosts(3);

    const res = await list();

    expect(res.body).toMatchObject({ success: true, currentPage: 1, totalPages: 1, totalPosts: 3 });
    expect(res.body.posts.map((p: { id: string }) => p.id)).toEqual([...ids].reverse());
    expect(res.body.posts[0]).toEqual({
      id: ids[2],
      userId: alice.id,
      content: expect.any(String),
      mediaIds: [],
      media: [],
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      likeCount: 0,
      commentCount: 0,
      likedByMe: false,
      // No profile event yet: the name comes from alice's access token.
      author: { id: alice.id, username: alice.username, displayName: alice.username },
    });
  });

  test('when paging, then pages split the list without overlap and the last page is partial', async () => {
    const ids = (await createPosts(5)).reverse();

    const [p1, p2, p3, p4] = await Promise.all([1, 2, 3, 4].map((page) => list({ page, limit: 2 })));

    const idsOf = (res: request.Response) => res.body.posts.map((p: { id: string }) => p.id);
    expect([idsOf(p1!), idsOf(p2!), idsOf(p3!)]).toEqual([ids.slice(0, 2), ids.slice(2, 4), ids.slice(4)]);
    expect(p3!.body).toMatchObject({ currentPage: 3, totalPages: 3, totalPosts: 5 });
    expect(p4!.body).toMatchObject({ posts: [], currentPage: 4, totalPages: 3, totalPosts: 5 });
  });

  test('when limit is 50, then it is accepted (the cap)', async () => {
    await createPosts(1);

    const res = await list({ limit: 50 });

    expect(res.body).toMatchObject({ totalPosts: 1, totalPages: 1, currentPage: 1 });
  });

  test.each([
    [{ page: 0 }, 'query.page'],
    [{ page: -1 }, 'query.page'],
    [{ page: 'abc' }, 'query.page'],
    [{ page: 1.5 }, 'query.page'],
    [{ limit: 0 }, 'query.limit'],
    [{ limit: 51 }, 'query.limit'],
    [{ limit: 'ten' }, 'query.limit'],
    [{ sort: 'asc' }, 'query.sort'],
  ])('when the query is %j, then 400', async (query, path) => {
    const res = await list(query);

    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      success: false,
      details: expect.arrayContaining([expect.objectContaining({ path })]),
    });
  });

  test('when a post is deleted, then it leaves the list and the totals', async () => {
    const [first, second] = await createPosts(2);
    await request(env.app).delete(`/api/posts/${first}`).set(alice.auth).expect(200);

    const res = await list();

    expect(res.body).toMatchObject({ totalPosts: 1, totalPages: 1, posts: [{ id: second }] });
  });

  test('when there is no token, then 401', async () => {
    const res = await request(env.app).get('/api/posts/all-posts');

    expect(res.status).toBe(401);
  });
});
