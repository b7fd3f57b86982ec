import request from 'supertest';
import { startMongo, type TestMongo } from '@social/testkit';
import { createTestUser, type TestUser } from '@social/testkit/helpers';
import { gif, png } from './support/fixtures';
import { createMediaTestEnv, type MediaTestApp } from './support/media-test-app';

let mongo: TestMongo;
let env: Awaited<ReturnType<typeof createMediaTestEnv>>;
let t: MediaTestApp;

beforeAll(async () => {
  mongo = await startMongo();
  env = await createMediaTestEnv(mongo.uri);
  t = env.build();
});

afterAll(async () => {
  await env.close();
  await mongo.stop();
});

const uploadAs = async (user: TestUser, bytes = png()): Promise<string> => {
  const res = await request(t.app).post('/api/media/upload').set(user.auth).attach('file', bytes, 'x.png');
  expect(res.status).toBe(201);
  return res.body.mediaId as string;
};

describe('GET /api/media', () => {
  test('when the caller has media, then only theirs, newest first, paginated', async () => {
    const [alice, bob] = [createTestUser(), createTestUser()];
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(await uploadAs(alice));
    await uploadAs(bob);

    const res = await request(t.app).get('/api/media?page=1&limit=2').set(alice.auth);

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      success: true,
      media: [
        expect.objectContaining({ id: ids[2], userId: alice.id }),
        expect.objectContaining({ id: ids[1], userId: alice.id }),
      ],
      currentPage: 1,
      totalPages: 2,
      totalMedia: 3,
    });
    const page2 = await request(t.app).get('/api/media?page=2&limit=2').set(alice.auth);
    expect(page2.body.media.map((m: { id: string }) => m.id)).toEqual([ids[0]]);
  });

  test('when the caller has no media, then an empty page with 0 pages', async () => {
    const res = await request(t.app).get('/api/media').set(createTestUser().auth);

    expect(res.body).toEqual({ success: true, media: [], currentPage: 1, totalPages: 0, totalMedia: 0 });
  });

  test.each(['limit=51', 'limit=0', 'page=0', 'page=abc'])(
    'when the query has %s, then 400',
    async (query) => {
      const res = await request(t.app).get(`/api/media?${query}`).set(createTestUser().auth);

      expect(res).toMatchObject({ status: 400, body: { success: false, details: expect.any(Array) } });
    },
  );

  test('when no token is sent, then 401', async () => {
    await request(t.app).get('/api/media').expect(401);
  });
});

describe('GET /api/media?ids=', () => {
  test('when the caller names her own, someone else’s and missing ids, then only hers come back', async () => {
    // Arrange
    const [alice, bob] = [createTestUser(), createTestUser()];
    const first = await uploadAs(alice);
    const second = await uploadAs(alice, gif());
    const bobs = await uploadAs(bob);
    const missing = '0123456789abcdef01234567';
    // Act
    const res = await request(t.app)
      .get(`/api/media?ids=${[first, bobs, missing, second].join(',')}`)
      .set(alice.auth);
    // Assert
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      success: true,
      media: [
        expect.objectContaining({ id: second, userId: alice.id, mimeType: 'image/gif' }),
        expect.objectContaining({ id: first, userId: alice.id, mimeType: 'image/png' }),
      ],
      currentPage: 1,
      totalPages: 1,
      totalMedia: 2,
    });
  });

  test('when an id is upper case or repeated, then it is matched once', async () => {
    const alice = createTestUser();
    const id = await uploadAs(alice);

    const res = await request(t.app).get(`/api/media?ids=${id.toUpperCase()},${id}`).set(alice.auth);

    expect(res.body).toMatchObject({ media: [{ id }], totalMedia: 1 });
  });

  test('when none of the ids is the caller’s, then an empty page', async () => {
    const bobs = await uploadAs(createTestUser());

    const res = await request(t.app).get(`/api/media?ids=${bobs}`).set(createTestUser().auth);

    expect(res.body).toEqual({ success: true, media: [], currentPage: 1, totalPages: 0, totalMedia: 0 });
  });

  test.each([
    ['empty', 'ids='],
    ['not hex', 'ids=not-an-id'],
    [
      'more than 10 ids',
      `ids=${Array.from({ length: 11 }, (_, i) => String(i).padStart(24, 'a')).join(',')}`,
    ],
    ['a trailing comma', 'ids=0123456789abcdef01234567,'],
    ['repeated as a parameter', 'ids=0123456789abcdef01234567&ids=0123456789abcdef01234568'],
  ])('when ids is %s, then 400 naming query.ids', async (_case, query) => {
    const res = await request(t.app).get(`/api/media?${query}`).set(createTestUser().auth);

    expect(res).toMatchObject({
      status: 400,
      body: { success: false, details: [expect.objectContaining({ path: 'query.ids' })] },
    });
  });
});

describe('GET /api/media/:id', () => {
  test('when the owner asks for her media, then 200 with the public shape only', async () => {
    const alice = createTestUser();
    const bytes = gif();
    const mediaId = await uploadAs(alice, bytes);

    const res = await request(t.app).get(`/api/media/${mediaId}`).set(alice.auth);

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      success: true,
      media: {
        id: mediaId,
        userId: alice.id,
        url: expect.stringMatching(/\.gif$/),
        mimeType: 'image/gif',
        size: bytes.length,
        createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T.*Z$/),
      },
    });
  });

  test('when another signed-in user asks for it, then the same 404 as for an id nobody has', async () => {
    const mediaId = await uploadAs(createTestUser());

    const res = await request(t.app).get(`/api/media/${mediaId}`).set(createTestUser().auth);

    expect(res.status).toBe(404);
    expect(res.body).toEqual({ success: false, message: 'Media not found', requestId: expect.any(String) });
  });

  test('when the id is not a 24-hex id, then 400', async () => {
    const res = await request(t.app).get('/api/media/not-an-id').set(createTestUser().auth);

    expect(res).toMatchObject({
      status: 400,
      body: {
        success: false,
        details: expect.arrayContaining([expect.objectContaining({ path: 'params.id' })]),
      },
    });
  });

  test('when no media has the id, then 404', async () => {
    const res = await request(t.app).get('/api/media/0123456789abcdef01234567').set(createTestUser().auth);

    expect(res.status).toBe(404);
    expect(res.body).toEqual({ success: false, message: 'Media not found', requestId: expect.any(String) });
  });

  test('when no token is sent, then 401', async () => {
    await request(t.app).get('/api/media/0123456789abcdef01234567').expect(401);
  });
});
