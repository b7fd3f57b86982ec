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
const carol = createTestUser();

beforeAll(async () => {
  infra = await startInfra();
  env = await startPostApp(infra);
});
afterAll(async () => {
  await env.close();
  await stopInfra(infra);
});

interface CommentBody {
  id: string;
  postId: string;
  userId: string;
  content: string;
  createdAt: string;
}

const comment = (user: TestUser, postId: string, body: unknown = { content: 'nice' }) =>
  request(env.app)
    .post(`/api/posts/${postId}/comments`)
    .set(user.auth)
    .send(body as object);
const list = (user: TestUser, postId: string, query: Record<string, string | number> = {}) =>
  request(env.app).get(`/api/posts/${postId}/comments`).query(query).set(user.auth);
const remove = (user: TestUser, postId: string, commentId: string) =>
  request(env.app).delete(`/api/posts/${postId}/comments/${commentId}`).set(user.auth);
const commentCount = async (user: TestUser, postId: string): Promise<number> =>
  (await request(env.app).get(`/api/posts/${postId}`).set(user.auth)).body.post.commentCount as number;

async function addComments(postId: string, count: number): Promise<CommentBody[]> {
  const added: CommentBody[] = [];
  for (let i = 0; i < count; i++) {
    added.push((await comment(bob, postId, { content: `comment ${i}` }).expect(201)).body.comment);
  }
  return added;
}

describe('POST /api/posts/:id/comments', () => {
  test('when a user comments, then 201 with the comment, trimmed, and the post counts it', async () => {
    const post = await arrange(env.app).createPost(alice);

    const res = await comment(bob, post.id, { content: '  well said  ' });

    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      success: true,
      comment: {
        id: expect.stringMatching(/^[0-9a-f]{24}$/),
        postId: post.id,
        userId: bob.id,
        content: 'well said',
        createdAt: expect.any(String),
      },
    });
    expect(new Date(res.body.comment.createdAt).toISOString()).toBe(res.body.comment.createdAt);
    expect(await commentCount(alice, post.id)).toBe(1);
  });

  test('when the content is exactly 1000 characters, then it is accepted', async () => {
    const post = await arrange(env.app).createPost(alice);

    const res = await comment(bob, post.id, { content: 'x'.repeat(1000) });

    expect(res.status).toBe(201);
  });

  test.each([
    ['empty', { content: '' }],
    ['only whitespace', { content: '   \n ' }],
    ['1001 characters', { content: 'x'.repeat(1001) }],
    ['missing', {}],
    ['not a string', { content: 42 }],
    ['with a NUL character', { content: 'a\u0000b' }],
    ['with an unpaired surrogate', { content: '\udc00 alone' }],
    ['with an unknown field', { content: 'hi', userId: newObjectId() }],
  ])('when the content is %s, then 400 and nothing is stored', async (_case, body) => {
    const post = await arrange(env.app).createPost(alice);

    const res = await comment(bob, post.id, body);

    expect(res).toMatchObject({
      status: 400,
      body: {
        success: false,
        requestId: expect.any(String),
        details: [expect.objectContaining({ path: expect.stringMatching(/^body\./) })],
      },
    });
    expect(await env.comments.countDocuments({ postId: post.id })).toBe(0);
    expect(await commentCount(alice, post.id)).toBe(0);
  });

  test('when the body is not JSON, then 415 and nothing is stored', async () => {
    const post = await arrange(env.app).createPost(alice);

    const res = await request(env.app)
      .post(`/api/posts/${post.id}/comments`)
      .set(bob.auth)
      .set('content-type', 'text/plain')
      .send('content=hi');

    expect(res).toMatchObject({ status: 415, body: { success: false } });
    expect(await env.comments.countDocuments({ postId: post.id })).toBe(0);
  });

  test('when no post has the id, then 404 and nothing is stored', async () => {
    const id = newObjectId();

    const res = await comment(bob, id);

    expect(res).toMatchObject({ status: 404, body: { success: false, message: 'Post not found' } });
    expect(await env.comments.countDocuments({ postId: id })).toBe(0);
  });

  test('when the id is malformed, then 400', async () => {
    const res = await comment(bob, 'nope');

    expect(res).toMatchObject({
      status: 400,
      body: { details: [expect.objectContaining({ path: 'params.id' })] },
    });
  });

  test('when 20 users comment at once, then the post counts exactly 20', async () => {
    const post = await arrange(env.app).createPost(alice);
    const users = Array.from({ length: 20 }, () => createTestUser());

    await Promise.all(users.map((u) => comment(u, post.id).expect(201)));

    expect(await commentCount(alice, post.id)).toBe(20);
  });
});

describe('GET /api/posts/:id/comments', () => {
  test('when a post has comments, then they come oldest first with nextCursor null on the only page', async () => {
    const post = await arrange(env.app).createPost(alice);
    const added = await addComments(post.id, 3);

    const res = await list(carol, post.id);

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, comments: added, nextCursor: null });
  });

  test('when a post has no comments, then an empty page', async () => {
    const post = await arrange(env.app).createPost(alice);

    const res = await list(carol, post.id);

    expect(res.body).toEqual({ success: true, comments: [], nextCursor: null });
  });

  test('when paging with nextCursor, then pages split the list without overlap and end with null', async () => {
    const post = await arrange(env.app).createPost(alice);
    const ids = (await addComments(post.id, 5)).map((c) => c.id);

    const p1 = await list(carol, post.id, { limit: 2 });
    const p2 = await list(carol, post.id, { limit: 2, cursor: p1.body.nextCursor });
    const p3 = await list(carol, post.id, { limit: 2, cursor: p2.body.nextCursor });

    const idsOf = (res: request.Response) => (res.body.comments as CommentBody[]).map((c) => c.id);
    expect([idsOf(p1), idsOf(p2), idsOf(p3)]).toEqual([ids.slice(0, 2), ids.slice(2, 4), ids.slice(4)]);
    expect(p3.body.nextCursor).toBeNull();
  });

  test('when comments are added and removed between pages, then the next page neither repeats nor skips', async () => {
    // Arrange: the first page is read, then an early comment goes and a new one arrives.
    const post = await arrange(env.app).createPost(alice);
    const ids = (await addComments(post.id, 4)).map((c) => c.id);
    const p1 = await list(carol, post.id, { limit: 2 });
    await remove(bob, post.id, ids[0]!).expect(200);
    const [late] = await addComments(post.id, 1);
    // Act
    const p2 = await list(carol, post.id, { limit: 10, cursor: p1.body.nextCursor });
    // Assert
    expect((p2.body.comments as CommentBody[]).map((c) => c.id)).toEqual([ids[2], ids[3], late!.id]);
  });

  test('when the limit is the default, then 20 comments per page', async () => {
    const post = await arrange(env.app).createPost(alice);
    await Promise.all(Array.from({ length: 21 }, () => comment(bob, post.id).expect(201)));

    const res = await list(carol, post.id);

    expect(res.body.comments).toHaveLength(20);
    expect(res.body.nextCursor).toEqual(expect.any(String));
  });

  test('when the cursor is tampered with, then 400 naming query.cursor', async () => {
    const post = await arrange(env.app).createPost(alice);
    await addComments(post.id, 3);
    const { nextCursor } = (await list(carol, post.id, { limit: 1 })).body as { nextCursor: string };
    const [payload, signature] = nextCursor.split('.');
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), t: 0 }),
    ).toString('base64url');

    const res = await list(carol, post.id, { cursor: `${forged}.${signature}` });

    expect(res).toMatchObject({
      status: 400,
      body: { success: false, details: [{ path: 'query.cursor', reason: expect.any(String) }] },
    });
  });

  test.each([
    ['not base64 with a signature', 'garbage'],
    ['a bad signature', 'a.b'],
    ['empty parts', '..'],
    ['longer than 512 characters', 'x'.repeat(513)],
  ])('when the cursor has %s, then 400', async (_case, cursor) => {
    const post = await arrange(env.app).createPost(alice);

    const res = await list(carol, post.id, { cursor });

    expect(res).toMatchObject({
      status: 400,
      body: { details: [expect.objectContaining({ path: 'query.cursor' })] },
    });
  });

  test('when the cursor comes from another post’s comments, then 400', async () => {
    const [one, other] = [await arrange(env.app).createPost(alice), await arrange(env.app).createPost(alice)];
    await addComments(one.id, 2);
    const { nextCursor } = (await list(carol, one.id, { limit: 1 })).body as { nextCursor: string };

    const res = await list(carol, other.id, { cursor: nextCursor });

    expect(res.status).toBe(400);
  });

  test.each([0, 51, 'ten'])('when limit is %s, then 400', async (limit) => {
    const post = await arrange(env.app).createPost(alice);

    const res = await list(carol, post.id, { limit });

    expect(res).toMatchObject({
      status: 400,
      body: { details: [expect.objectContaining({ path: 'query.limit' })] },
    });
  });

  test('when no post has the id, then 404', async () => {
    const res = await list(carol, newObjectId());

    expect(res).toMatchObject({ status: 404, body: { success: false, message: 'Post not found' } });
  });

  test('when the post is deleted, then 404 even before the relay removed it', async () => {
    const post = await arrange(env.app).createPost(alice);
    await addComments(post.id, 1);
    await env.posts.updateOne({ _id: post.id }, { $set: { deletedAt: new Date() } });

    const res = await list(carol, post.id);

    expect(res.status).toBe(404);
  });
});

describe('DELETE /api/posts/:id/comments/:commentId', () => {
  test('when the comment’s author deletes it, then 200, it is gone and the count drops', async () => {
    const post = await arrange(env.app).createPost(alice);
    const [mine] = await addComments(post.id, 2);

    const res = await remove(bob, post.id, mine!.id);

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, message: 'Comment deleted' });
    expect((await list(carol, post.id)).body.comments.map((c: CommentBody) => c.id)).not.toContain(mine!.id);
    expect(await commentCount(alice, post.id)).toBe(1);
  });

  test('when the post’s author deletes someone else’s comment, then 200', async () => {
    const post = await arrange(env.app).createPost(alice);
    const [theirs] = await addComments(post.id, 1);

    const res = await remove(alice, post.id, theirs!.id);

    expect(res.status).toBe(200);
    expect(await commentCount(alice, post.id)).toBe(0);
  });

  test('when anyone else deletes it, then the same 404 as for a missing comment, and it stays', async () => {
    const post = await arrange(env.app).createPost(alice);
    const [theirs] = await addComments(post.id, 1);

    const res = await remove(carol, post.id, theirs!.id);
    const missing = await remove(carol, post.id, newObjectId());

    expect(res).toMatchObject({ status: 404, body: { success: false, message: 'Comment not found' } });
    expect(missing.body).toEqual({ ...res.body, requestId: expect.any(String) });
    expect(await commentCount(alice, post.id)).toBe(1);
  });

  test('when the comment is on another post, then 404 and it stays', async () => {
    const [post, other] = [
      await arrange(env.app).createPost(alice),
      await arrange(env.app).createPost(alice),
    ];
    const [theirs] = await addComments(post.id, 1);

    const res = await remove(alice, other.id, theirs!.id);

    expect(res.status).toBe(404);
    expect(await commentCount(alice, post.id)).toBe(1);
  });

  test('when deleted twice, then the second answer is 404 and the count dropped once', async () => {
    const post = await arrange(env.app).createPost(alice);
    const [mine] = await addComments(post.id, 1);
    await addComments(post.id, 1);

    const answers = await Promise.all([remove(bob, post.id, mine!.id), remove(bob, post.id, mine!.id)]);

    expect(answers.map((r) => r.status).sort()).toEqual([200, 404]);
    expect(await commentCount(alice, post.id)).toBe(1);
  });

  test('when no post has the id, then 404', async () => {
    const res = await remove(bob, newObjectId(), newObjectId());

    expect(res).toMatchObject({ status: 404, body: { message: 'Post not found' } });
  });

  test.each([
    ['id', 'nope', newObjectId()],
    ['commentId', newObjectId(), 'nope'],
  ])('when %s is malformed, then 400', async (field, postId, commentId) => {
    const res = await remove(bob, postId, commentId);

    expect(res).toMatchObject({
      status: 400,
      body: { details: [expect.objectContaining({ path: `params.${field}` })] },
    });
  });
});
