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
/** The same app wiring, with nothing listening where media-service should be. */
let refused: PostTestEnv;
const alice = createTestUser();
const bob = createTestUser();
const TIMEOUT_MS = 1000;

beforeAll(async () => {
  infra = await startInfra();
  env = await startPostApp(infra, { mediaTimeoutMs: TIMEOUT_MS });
  refused = await startPostApp(infra, { mediaServiceUrl: 'http://127.0.0.1:1' });
});
afterEach(() => {
  env.mediaService.answer('media-service');
});
afterAll(async () => {
  await refused.close();
  await env.close();
  await stopInfra(infra);
});

const createPost = (app: PostTestEnv['app'], body: object, user = alice) =>
  request(app).post('/api/posts/create-post').set(user.auth).send(body);

const lookupsCounted = async (outcome: string): Promise<number> => {
  const metric = await env.metrics.registry.getSingleMetric('media_lookups_total')?.get();
  return metric?.values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
};

describe('POST /api/posts/create-post asks media-service about the attached media', () => {
  test('when media are attached, then one lookup as the author names every id', async () => {
    // Arrange
    const ids = [env.mediaService.add(alice).id, env.mediaService.add(alice).id];
    const before = env.mediaService.received.length;
    // Act
    const res = await createPost(env.app, buildPostInput({ mediaIds: ids })).set('x-request-id', 'req-m-1');
    // Assert
    expect(res.status).toBe(201);
    expect(env.mediaService.received.slice(before)).toEqual([
      {
        path: '/api/media',
        query: { ids: ids.join(','), limit: '2' },
        headers: expect.objectContaining({
          authorization: alice.auth.Authorization,
          'x-request-id': 'req-m-1',
        }),
      },
    ]);
  });

  test('when the post is read back by someone else, then get and list carry the media in the given order', async () => {
    const [a, b] = [env.mediaService.add(alice, { mimeType: 'image/gif' }), env.mediaService.add(alice)];
    const created = await createPost(env.app, buildPostInput({ mediaIds: [b.id, a.id] }));

    const one = await request(env.app).get(`/api/posts/${created.body.post.id}`).set(bob.auth);
    const list = await request(env.app).get('/api/posts/all-posts?limit=50').set(bob.auth);

    const media = [
      { id: b.id, url: b.url, mimeType: 'image/png' },
      { id: a.id, url: a.url, mimeType: 'image/gif' },
    ];
    expect(one.body.post).toMatchObject({ mediaIds: [b.id, a.id], media });
    expect(list.body.posts.find((p: { id: string }) => p.id === created.body.post.id)).toMatchObject({
      media,
    });
  });

  test('when ids are someone else’s or nobody’s, then 400 naming each, and nothing is stored', async () => {
    // Arrange
    const own = env.mediaService.add(alice).id;
    const bobs = env.mediaService.add(bob).id;
    const missing = newObjectId();
    const input = buildPostInput({ mediaIds: [own, bobs, missing] });
    // Act
    const res = await createPost(env.app, input);
    // Assert
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      success: false,
      message: `Media not found or not yours: ${bobs}, ${missing}`,
      requestId: expect.any(String),
      details: [
        { path: 'body.mediaIds.1', reason: `media ${bobs} does not exist or is not yours` },
        { path: 'body.mediaIds.2', reason: `media ${missing} does not exist or is not yours` },
      ],
    });
    expect(await env.posts.countDocuments({ content: input.content })).toBe(0);
  });

  test('when an id is upper case, then it is matched as the same media', async () => {
    const photo = env.mediaService.add(alice);

    const res = await createPost(env.app, buildPostInput({ mediaIds: [photo.id.toUpperCase()] }));

    expect(res).toMatchObject({
      status: 201,
      body: { post: { mediaIds: [photo.id], media: [{ id: photo.id }] } },
    });
  });

  test.each([
    ['duplicated ids', () => [newObjectId(), newObjectId()].flatMap((id) => [id, id])],
    ['11 ids', () => Array.from({ length: 11 }, newObjectId)],
    ['an id that is not hex', () => ['nope']],
  ])('when the body has %s, then 400 before media-service is asked', async (_case, mediaIds) => {
    const before = env.mediaService.received.length;

    const res = await createPost(env.app, buildPostInput({ mediaIds: mediaIds() }));

    expect(res.status).toBe(400);
    expect(env.mediaService.received.length).toBe(before);
  });

  test('when no media are attached, then media-service is not asked', async () => {
    const before = env.mediaService.received.length;

    const res = await createPost(env.app, buildPostInput());

    expect(res).toMatchObject({ status: 201, body: { post: { mediaIds: [], media: [] } } });
    expect(env.mediaService.received.length).toBe(before);
  });
});

describe('POST /api/posts/create-post when media-service cannot answer', () => {
  const unavailable = {
    success: false,
    message: 'Media service unavailable, cannot attach media right now; try again later',
    requestId: expect.any(String),
  };

  test('when media-service answers 500, then 503 and nothing is stored', async () => {
    env.mediaService.answer({ status: 500, body: { success: false, message: 'Internal server error' } });
    const input = buildPostInput({ mediaIds: [env.mediaService.add(alice).id] });

    const res = await createPost(env.app, input);

    expect(res).toMatchObject({ status: 503, body: unavailable });
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(await env.posts.countDocuments({ content: input.content })).toBe(0);
  });

  test('when media-service does not answer in time, then 503 after the timeout', async () => {
    env.mediaService.answer('hang');
    const input = buildPostInput({ mediaIds: [env.mediaService.add(alice).id] });
    const started = Date.now();

    const res = await createPost(env.app, input);

    expect(res).toMatchObject({ status: 503, body: unavailable });
    expect(Date.now() - started).toBeGreaterThanOrEqual(TIMEOUT_MS - 50); // timers may round a little early
    expect(await env.posts.countDocuments({ content: input.content })).toBe(0);
  });

  test('when media-service refuses connections, then 503, and posts without media still work', async () => {
    const withMedia = await createPost(refused.app, buildPostInput({ mediaIds: [newObjectId()] }));
    const without = await createPost(refused.app, buildPostInput());

    expect(withMedia).toMatchObject({ status: 503, body: unavailable });
    expect(without.status).toBe(201);
  });

  test('when media-service answers something that is not a lookup, then 502', async () => {
    env.mediaService.answer({ status: 200, body: { success: true, media: [{ id: 'x' }] } });

    const res = await createPost(env.app, buildPostInput({ mediaIds: [newObjectId()] }));

    expect(res).toMatchObject({
      status: 502,
      body: { success: false, message: 'Media service answered unexpectedly' },
    });
  });

  test('when lookups succeed or fail, then media_lookups_total counts each outcome', async () => {
    const [ok, unavailableBefore] = [await lookupsCounted('ok'), await lookupsCounted('unavailable')];
    await createPost(env.app, buildPostInput({ mediaIds: [env.mediaService.add(alice).id] })).expect(201);
    env.mediaService.answer({ status: 503, body: {} });

    await createPost(env.app, buildPostInput({ mediaIds: [env.mediaService.add(alice).id] })).expect(503);

    expect(await lookupsCounted('ok')).toBe(ok + 1);
    expect(await lookupsCounted('unavailable')).toBe(unavailableBefore + 1);
  });
});
