import request from 'supertest';
import { createMetrics, counter } from '@social/common/metrics';
import { mongoose } from '@social/common/mongo';
import { createTestUser, silentLogger, type TestUser } from '@social/testkit/helpers';
import { repairEngagementCounts } from '../src/domain/repair-engagement';
import { deleteComment } from '../src/models/comment.model';
import { insertLike } from '../src/models/like.model';
import {
  beginEngagementChange,
  findUnfinishedEngagement,
  resetEngagementCounts,
} from '../src/models/post-engagement.model';
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
const carol = createTestUser();

beforeAll(async () => {
  infra = await startInfra();
  env = await startPostApp(infra);
});
afterAll(async () => {
  jest.restoreAllMocks();
  await env.close();
  await stopInfra(infra);
});
afterEach(() => jest.restoreAllMocks());

const like = (user: TestUser, postId: string) =>
  request(env.app).put(`/api/posts/${postId}/like`).set(user.auth);
const comment = (user: TestUser, postId: string, content: string) =>
  request(env.app).post(`/api/posts/${postId}/comments`).set(user.auth).send({ content });
const read = async (user: TestUser, postId: string) =>
  (await request(env.app).get(`/api/posts/${postId}`).set(user.auth).expect(200)).body.post as {
    likeCount: number;
    commentCount: number;
    likedByMe: boolean;
  };
const marksOf = async (postId: string) =>
  env.posts
    .findById(postId, { _id: 0, engagementPending: 1 })
    .lean<{ engagementPending?: number }>()
    .then((d) => d?.engagementPending ?? 0);

const recount = (quietMs = 0) =>
  repairEngagementCounts(
    {
      posts: env.posts,
      likes: env.likes,
      comments: env.comments,
      engagementCache: env.engagementCache,
      log: silentLogger('post-service'),
      repaired: counter(createMetrics('test', { defaultMetrics: false }).registry, {
        name: 'recounts',
        help: 'test',
      }),
    },
    { quietMs, limit: 100 },
  );

/** The state a like leaves when its process dies after storing the edge, before counting it. */
const likeThatDied = async (user: TestUser, postId: string) => {
  await beginEngagementChange(env.posts, { postId, visibleOnly: true });
  await insertLike(env.likes, { postId, userId: user.id });
};

describe('recounting likes and comments after a change that did not finish', () => {
  test('when MongoDB fails between storing a like and counting it, then the recount makes the count right', async () => {
    const post = await arrange(env.app).createPost(alice);
    await like(carol, post.id).expect(200);
    await read(bob, post.id); // the count is cached: the recount must replace it
    const findOneAndUpdate = env.posts.findOneAndUpdate.bind(env.posts);
    let call = 0;
    jest
      .spyOn(env.posts, 'findOneAndUpdate')
      .mockImplementation((...args: Parameters<typeof findOneAndUpdate>) => {
        // The second write of the like (its counter) finds MongoDB gone; the first (the mark) and the edge went in.
        call += 1;
        if (call === 2) throw new mongoose.mongo.MongoNetworkError('connection reset');
        return findOneAndUpdate(...args);
      });

    const failed = await like(bob, post.id);
    jest.restoreAllMocks();

    expect(failed.status).toBe(503);
    expect(await env.likes.countDocuments({ postId: post.id })).toBe(2);
    // The client retries: the edge is there, so the like is not counted again, and the count is short.
    expect((await like(bob, post.id)).body).toMatchObject({ liked: true, likeCount: 1 });

    expect(await recount()).toBe(1);

    expect(await read(bob, post.id)).toMatchObject({ likeCount: 2, likedByMe: true });
    expect(await marksOf(post.id)).toBe(0);
  });

  test('when removing a comment stopped before its counter dropped, then the recount drops it', async () => {
    const post = await arrange(env.app).createPost(alice);
    const kept = await comment(bob, post.id, 'kept').expect(201);
    const gone = await comment(carol, post.id, 'gone').expect(201);
    await beginEngagementChange(env.posts, { postId: post.id, visibleOnly: true });
    await deleteComment(env.comments, {
      postId: post.id,
      commentId: gone.body.comment.id as string,
      userId: carol.id,
      anyAuthor: false,
    });
    expect((await read(alice, post.id)).commentCount).toBe(2);

    await recount();

    expect((await read(alice, post.id)).commentCount).toBe(1);
    expect(await env.comments.countDocuments({ _id: kept.body.comment.id })).toBe(1);
  });

  test('when a change began a moment ago, then the recount leaves the post alone', async () => {
    const post = await arrange(env.app).createPost(alice);
    await likeThatDied(bob, post.id);

    expect(await recount(60_000)).toBe(0);

    expect(await marksOf(post.id)).toBe(1);
    expect((await read(alice, post.id)).likeCount).toBe(0);
  });

  test('when a change begins after the post was found, then the recount does not overwrite the counters', async () => {
    const post = await arrange(env.app).createPost(alice);
    await likeThatDied(bob, post.id);
    const [found] = (
      await findUnfinishedEngagement(env.posts, { before: new Date(Date.now() + 1000), limit: 100 })
    ).filter((p) => p.postId === post.id);
    if (!found) throw new Error('the post with an unfinished change was not found');
    await comment(carol, post.id, 'in between').expect(201);

    expect(await resetEngagementCounts(env.posts, found, { likeCount: 1, commentCount: 0 })).toBe(false);

    expect(await read(alice, post.id)).toMatchObject({ likeCount: 0, commentCount: 1 });
    // The next pass sees the post as it is now and counts both.
    await recount();
    expect(await read(alice, post.id)).toMatchObject({ likeCount: 1, commentCount: 1 });
  });

  test('when a post with an unfinished change is deleted, then it is not recounted', async () => {
    const post = await arrange(env.app).createPost(alice);
    await likeThatDied(bob, post.id);
    await request(env.app).delete(`/api/posts/${post.id}`).set(alice.auth).expect(200);

    const unfinished = await findUnfinishedEngagement(env.posts, {
      before: new Date(Date.now() + 1000),
      limit: 100,
    });

    expect(unfinished.map((p) => p.postId)).not.toContain(post.id);
  });

  test('when many users like, unlike and comment at once, then every change finishes and nothing needs a recount', async () => {
    const post = await arrange(env.app).createPost(alice);
    const users = Array.from({ length: 12 }, () => createTestUser());

    await Promise.all(
      users.flatMap((u, i) => [
        like(u, post.id).expect(200),
        comment(u, post.id, `comment ${i}`).expect(201),
        ...(i % 3 === 0
          ? [request(env.app).delete(`/api/posts/${post.id}/like`).set(u.auth).expect(200)]
          : []),
      ]),
    );

    expect(await marksOf(post.id)).toBe(0);
    const counted = await read(alice, post.id);
    expect(counted.likeCount).toBe(await env.likes.countDocuments({ postId: post.id }));
    expect(counted.commentCount).toBe(12);
  });
});
