import request from 'supertest';
import { createTestUser, newObjectId } from '@social/testkit/helpers';
import { arrange } from './support/post-data';
import {
  startInfra,
  startPostApp,
  stopInfra,
  type PostTestEnv,
  type PostTestInfra,
} from './support/post-app';
import { allPages, getByUser } from './support/user-events';

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

describe('GET /api/posts/by-user/:userId', () => {
  test('when alice has posts, then anyone sees only hers, newest first, each with its author', async () => {
    // Arrange
    const [alice, bob] = [createTestUser(), createTestUser()];
    const first = await arrange(env.app).createPost(alice);
    await arrange(env.app).createPost(bob);
    const second = await arrange(env.app).createPost(alice);
    // Act
    const res = await getByUser(env.app, bob, alice.id);
    // Assert
    expect(res).toMatchObject({
      status: 200,
      body: { success: true, posts: [second, first], nextCursor: null },
    });
    expect(res.body.posts[0]?.author).toEqual({
      id: alice.id,
      username: alice.username,
      displayName: alice.username,
    });
  });

  test('when paged while alice keeps posting, then no post is skipped or repeated', async () => {
    // Arrange
    const alice = createTestUser();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await arrange(env.app).createPost(alice)).id);
    const first = await getByUser(env.app, alice, alice.id, '?limit=2');
    // Act
    await arrange(env.app).createPost(alice);
    const rest = await allPages((q) => getByUser(env.app, alice, alice.id, q), 2, first.body.nextCursor);
    // Assert
    expect([first.body.posts.map((p) => p.id), ...rest].flat()).toEqual([...ids].reverse());
    expect(rest.at(-1)).toHaveLength(1);
  });

  test('when a post is deleted, then the timeline no longer lists it', async () => {
    // Arrange
    const alice = createTestUser();
    const kept = await arrange(env.app).createPost(alice);
    const gone = await arrange(env.app).createPost(alice);
    // Act
    await request(env.app).delete(`/api/posts/${gone.id}`).set(alice.auth).expect(200);
    // Assert
    expect((await getByUser(env.app, alice, alice.id)).body.posts.map((p) => p.id)).toEqual([kept.id]);
  });

  test('when the user has no posts (or does not exist), then an empty list', async () => {
    const res = await getByUser(env.app, createTestUser(), newObjectId());

    expect(res).toMatchObject({ status: 200, body: { success: true, posts: [], nextCursor: null } });
  });

  test.each([
    ['not-an-id', ''],
    [newObjectId(), '?limit=0'],
    [newObjectId(), '?limit=51'],
    [newObjectId(), '?cursor=abc.def'],
    [newObjectId(), '?unknown=1'],
  ])('when the user id is %s and the query %s, then 400 with the error shape', async (userId, query) => {
    const res = await getByUser(env.app, createTestUser(), userId, query);

    expect(res).toMatchObject({
      status: 400,
      body: { success: false, message: expect.any(String), requestId: expect.any(String) },
    });
  });

  test('when a cursor of another user’s timeline is used, then 400', async () => {
    // Arrange
    const [alice, bob] = [createTestUser(), createTestUser()];
    await arrange(env.app).createPost(alice);
    await arrange(env.app).createPost(alice);
    const { nextCursor } = (await getByUser(env.app, alice, alice.id, '?limit=1')).body;
    // Act
    const res = await getByUser(env.app, alice, bob.id, `?cursor=${encodeURIComponent(nextCursor ?? '')}`);
    // Assert
    expect(res).toMatchObject({ status: 400, body: { success: false, message: 'Invalid cursor' } });
  });
});
