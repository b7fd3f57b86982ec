import request from 'supertest';
import { createTestUser, newObjectId } from '@social/testkit/helpers';
import { buildPostInput } from './support/post-data';
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

beforeAll(async () => {
  infra = await startInfra();
  env = await startPostApp(infra);
});
afterAll(async () => {
  await env.close();
  await stopInfra(infra);
});

describe('POST /api/posts/create-post', () => {
  test('when the input is valid, then 201 with the stored post and what readers need of its media', async () => {
    // Arrange
    const [photo, clip] = [
      env.mediaService.add(alice),
      env.mediaService.add(alice, { mimeType: 'video/mp4' }),
    ];
    const mediaIds = [photo.id, clip.id];
    // Act
    const res = await request(env.app)
      .post('/api/posts/create-post')
      .set(alice.auth)
      .send({ content: '  hello world  ', mediaIds });
    // Assert
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      success: true,
      post: {
        id: expect.stringMatching(/^[0-9a-f]{24}$/),
        userId: alice.id,
        content: 'hello world',
        mediaIds,
        media: [
          { id: photo.id, url: photo.url, mimeType: 'image/png' },
          { id: clip.id, url: clip.url, mimeType: 'video/mp4' },
        ],
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
        likeCount: 0,
        commentCount: 0,
        likedByMe: false,
        author: { id: alice.id, username: alice.username, displayName: alice.username },
      },
    });
    expect(new Date(res.body.post.createdAt).toISOString()).toBe(res.body.post.createdAt);
  });

  test('when created, then the post can be read back', async () => {
    const created = await request(env.app)
      .post('/api/posts/create-post')
      .set(alice.auth)
      .send(buildPostInput());

    const res = await request(env.app).get(`/api/posts/${created.body.post.id}`).set(alice.auth);

    expect(res.status).toBe(200);
    expect(res.body.post).toEqual(created.body.post);
  });

  test('when mediaIds is omitted, then it defaults to an empty list', async () => {
    const res = await request(env.app).post('/api/posts/create-post').set(alice.auth).send({ content: 'x' });

    expect(res).toMatchObject({ status: 201, body: { post: { mediaIds: [], media: [] } } });
  });

  test('when content has line breaks, tabs, emoji with joiners and right-to-left text, then it reads back exactly', async () => {
    const content = 'line one\r\nline two\n\tindented 👩‍👩‍👧 שלום \u200fעולם';
    const created = await request(env.app).post('/api/posts/create-post').set(alice.auth).send({ content });
    expect(created.status).toBe(201);

    const res = await request(env.app).get(`/api/posts/${created.body.post.id}`).set(alice.auth);

    expect(res.body.post.content).toBe(content);
  });

  test('when content holds a control character, then 400 says so and nothing is stored', async () => {
    const before = await env.posts.countDocuments();

    const res = await request(env.app)
      .post('/api/posts/create-post')
      .set(alice.auth)
      .send({ content: 'bell\u0007' });

    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([
      {
        path: 'body.content',
        reason: 'content must not contain control characters other than tab and line breaks',
      },
    ]);
    expect(await env.posts.countDocuments()).toBe(before);
  });

  test('when content is exactly 5000 characters, then 201', async () => {
    const res = await request(env.app)
      .post('/api/posts/create-post')
      .set(alice.auth)
      .send({ content: 'a'.repeat(5000) });

    expect(res.status).toBe(201);
  });

  test.each([
    ['content missing', { mediaIds: [] }, 'body.content'],
    ['content only whitespace', { content: '   \n\t ' }, 'body.content'],
    ['content over 5000 characters', { content: 'a'.repeat(5001) }, 'body.content'],
    ['content not a string', { content: 42 }, 'body.content'],
    ['content with a NUL character', { content: 'a\u0000b' }, 'body.content'],
    ['content with a terminal escape sequence', { content: 'red \u001b[31mtext' }, 'body.content'],
    ['content with an unpaired surrogate', { content: 'half \ud83d of an emoji' }, 'body.content'],
    ['a mediaId that is not an ObjectId', { content: 'x', mediaIds: ['nope'] }, 'body.mediaIds.0'],
    [
      'more than 10 mediaIds',
      { content: 'x', mediaIds: Array.from({ length: 11 }, newObjectId) },
      'body.mediaIds',
    ],
    ['mediaIds not an array', { content: 'x', mediaIds: newObjectId() }, 'body.mediaIds'],
    ['an unknown field', { content: 'x', userId: newObjectId() }, 'body.userId'],
  ])('when %s, then 400 naming the field', async (_case, body, path) => {
    const res = await request(env.app).post('/api/posts/create-post').set(alice.auth).send(body);

    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      success: false,
      message: expect.any(String),
      requestId: expect.any(String),
      details: expect.arrayContaining([expect.objectContaining({ path })]),
    });
  });

  test('when the body is malformed JSON, then 400', async () => {
    const res = await request(env.app)
      .post('/api/posts/create-post')
      .set(alice.auth)
      .set('Content-Type', 'application/json')
      .send('{"content":');

    expect(res).toMatchObject({ status: 400, body: { success: false } });
  });

  test('when the body is not JSON, then 415', async () => {
    const res = await request(env.app)
      .post('/api/posts/create-post')
      .set(alice.auth)
      .set('Content-Type', 'text/plain')
      .send('hello');

    expect(res).toMatchObject({ status: 415, body: { success: false } });
  });

  test('when there is no token, then 401 with a Bearer challenge and nothing is stored', async () => {
    const content = `anon ${newObjectId()}`;

    const res = await request(env.app).post('/api/posts/create-post').send({ content });

    expect(res).toMatchObject({ status: 401, body: { success: false, requestId: expect.any(String) } });
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(await env.posts.countDocuments({ content })).toBe(0);
  });

  test('when only a forged x-user-id is sent, then 401', async () => {
    const res = await request(env.app)
      .post('/api/posts/create-post')
      .set('x-user-id', alice.id)
      .send(buildPostInput());

    expect(res.status).toBe(401);
  });

  test('when the token is invalid, then 401 invalid_token', async () => {
    const res = await request(env.app)
      .post('/api/posts/create-post')
      .set('Authorization', `Bearer ${alice.token}x`)
      .send(buildPostInput());

    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
  });

  test('when a forged x-user-id accompanies a valid token, then the token decides the author', async () => {
    const res = await request(env.app)
      .post('/api/posts/create-post')
      .set(alice.auth)
      .set('x-user-id', newObjectId())
      .send(buildPostInput());

    expect(res).toMatchObject({ status: 201, body: { post: { userId: alice.id } } });
  });
});
