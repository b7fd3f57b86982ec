import request from 'supertest';
import { mongoose } from '@social/common/mongo';
import { createTestUser, newObjectId, waitFor, type TestUser } from '@social/testkit/helpers';
import { removeUserEngagement } from '../src/domain/remove-engagement';
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

const like = (user: TestUser, postId: string) =>
  request(env.app).put(`/api/posts/${postId}/like`).set(user.auth);
const comment = (user: TestUser, postId: string) =>
  request(env.app).post(`/api/posts/${postId}/comments`).set(user.auth).send({ content: 'hello' });
const served = async (postId: string) =>
  (await request(env.app).get(`/api/posts/${postId}`).set(alice.auth).expect(200)).body.post as {
    likeCount: number;
    commentCount: number;
  };
const edgesOf = async (postId: string) => ({
  likes: await env.likes.countDocuments({ postId }),
  comments: await env.comments.countDocuments({ postId }),
});
const postGone = (postId: string) => async () => (await env.posts.countDocuments({ _id: postId })) === 0;

describe('deleting a post removes its likes and comments', () => {
  test('when the author deletes a liked and commented post, then its likes and comments go with it', async () => {
    // Arrange
    const post = await arrange(env.app).createPost(alice);
    const other = await arrange(env.app).createPost(alice);
    await Promise.all([like(bob, post.id), like(alice, post.id), comment(bob, post.id), like(bob, other.id)]);
    // Act
    await request(env.app).delete(`/api/posts/${post.id}`).set(alice.auth).expect(200);
    // Assert
    await waitFor(postGone(post.id), { description: 'post hard-deleted by the relay' });
    expect(await edgesOf(post.id)).toEqual({ likes: 0, comments: 0 });
    expect(await edgesOf(other.id)).toEqual({ likes: 1, comments: 0 });
  });

  test('when likes and comments race with the deletion, then none is left once the post is gone', async () => {
    const post = await arrange(env.app).createPost(alice);
    const users = Array.from({ length: 15 }, () => createTestUser());

    const answers = await Promise.all([
      ...users.flatMap((u) => [like(u, post.id), comment(u, post.id)]),
      request(env.app).delete(`/api/posts/${post.id}`).set(alice.auth),
      ...users.flatMap((u) => [like(u, post.id), comment(u, post.id)]),
    ]);

    // Every write either happened before the delete (then swept) or was refused after it.
    expect(answers.every((r) => [200, 201, 404].includes(r.status))).toBe(true);
    await waitFor(postGone(post.id), { description: 'post hard-deleted by the relay' });
    await env.relay.runOnce();
    expect(await edgesOf(post.id)).toEqual({ likes: 0, comments: 0 });
  });
});

describe('removeUserEngagement', () => {
  const deps = () => ({
    posts: env.posts,
    likes: env.likes,
    comments: env.comments,
    engagementCache: env.engagementCache,
  });

  test('when a user is removed, then their likes and comments go and each post’s counts drop by theirs', async () => {
    // Arrange: carol likes two posts and comments on one twice; bob's engagement must stay.
    const carol = createTestUser();
    const [first, second] = [
      await arrange(env.app).createPost(alice),
      await arrange(env.app).createPost(bob),
    ];
    await Promise.all([like(carol, first.id), like(carol, second.id), like(bob, first.id)]);
    await Promise.all([comment(carol, first.id), comment(carol, first.id), comment(bob, first.id)]);
    expect(await served(first.id)).toMatchObject({ likeCount: 2, commentCount: 3 }); // now cached
    expect(await served(second.id)).toMatchObject({ likeCount: 1, commentCount: 0 });
    // Act
    const removed = await removeUserEngagement(deps(), { userId: carol.id });
    // Assert
    expect(removed).toEqual({ likes: 2, comments: 2 });
    expect(await served(first.id)).toMatchObject({ likeCount: 1, commentCount: 1 });
    expect(await served(second.id)).toMatchObject({ likeCount: 0, commentCount: 0 });
    expect(await env.likes.countDocuments({ userId: carol.id })).toBe(0);
    expect(await env.comments.countDocuments({ userId: carol.id })).toBe(0);
    expect(await env.likes.countDocuments({ userId: bob.id, postId: first.id })).toBe(1);
  });

  test('when run twice (a redelivered user.deleted), then the second run removes and counts nothing', async () => {
    const carol = createTestUser();
    const post = await arrange(env.app).createPost(alice);
    await Promise.all([like(carol, post.id), comment(carol, post.id), like(bob, post.id)]);
    await removeUserEngagement(deps(), { userId: carol.id });

    const again = await removeUserEngagement(deps(), { userId: carol.id });

    expect(again).toEqual({ likes: 0, comments: 0 });
    expect(await served(post.id)).toMatchObject({ likeCount: 1, commentCount: 0 });
  });

  test('when two runs race, then every count drops exactly once', async () => {
    const carol = createTestUser();
    const posts = await Promise.all(Array.from({ length: 5 }, () => arrange(env.app).createPost(alice)));
    await Promise.all(posts.flatMap((p) => [like(carol, p.id), comment(carol, p.id), like(bob, p.id)]));

    const runs = await Promise.all([
      removeUserEngagement(deps(), { userId: carol.id }),
      removeUserEngagement(deps(), { userId: carol.id }),
    ]);

    expect(runs[0]!.likes + runs[1]!.likes).toBe(5);
    expect(runs[0]!.comments + runs[1]!.comments).toBe(5);
    for (const p of posts) expect(await served(p.id)).toMatchObject({ likeCount: 1, commentCount: 0 });
  });

  // ~1 500 writes on the in-memory MongoDB: seconds when idle, far more on a loaded shared machine.
  test('when the user has more likes than one batch, then all of them go', async () => {
    // Arrange: 501 posts liked by dave, written straight to MongoDB (through the API this takes minutes).
    const dave = newObjectId();
    const ids = Array.from({ length: 501 }, () => new Types.ObjectId());
    const at = new Date();
    await env.posts.collection.insertMany(
      ids.map((_id) => ({
        _id,
        userId: alice.id,
        content: 'bulk',
        mediaIds: [],
        media: [],
        deletedAt: null,
        likeCount: 1,
        commentCount: 0,
        pendingEvents: [],
        createdAt: at,
        updatedAt: at,
      })),
    );
    await env.likes.collection.insertMany(
      ids.map((_id) => ({ postId: _id.toHexString(), userId: dave, createdAt: at })),
    );
    // Act
    const removed = await removeUserEngagement(deps(), { userId: dave });
    // Assert
    expect(removed).toEqual({ likes: 501, comments: 0 });
    expect(await env.likes.countDocuments({ userId: dave })).toBe(0);
    expect(await env.posts.countDocuments({ _id: { $in: ids }, likeCount: 0 })).toBe(501);
  }, 60_000);

  test('when the user never engaged, then nothing happens', async () => {
    expect(await removeUserEngagement(deps(), { userId: newObjectId() })).toEqual({ likes: 0, comments: 0 });
  });
});
