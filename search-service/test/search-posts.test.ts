import request from 'supertest';
import { buildPostCreated, createTestUser, newObjectId, waitFor } from '@social/testkit/helpers';
import { startSearchHarness, type SearchHarness } from './support/search-harness';
import { uniqueWord } from './support/search-words';
import { searchAs, searchIds, type SearchResultBody } from './support/search-client';

let h: SearchHarness;
const alice = createTestUser();

beforeAll(async () => {
  h = await startSearchHarness();
});
afterAll(async () => {
  await h.close();
});

/** Publishes post.created events like post-service does and waits until `word` finds all of them. */
async function arrangePosts(word: string, contents: string[], start = Date.now() - 60_000) {
  const events = contents.map((content, i) =>
    buildPostCreated({ content, createdAt: new Date(start + i * 1000).toISOString() }),
  );
  for (const e of events) await h.publisher.publish(e);
  await waitFor(async () => (await searchIds(h.app, alice, word)).length === events.length, {
    description: `${events.length} posts searchable by ${word}`,
  });
  return events;
}

describe('GET /api/search/posts', () => {
  test('when a word of a post is searched, then 200 with the post and its score', async () => {
    // Arrange
    const word = uniqueWord();
    const [post] = await arrangePosts(word, [`Morning coffee ${word}`]);
    // Act
    const res = await searchAs(h.app, alice, { query: word });
    // Assert
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      success: true,
      results: [
        {
          postId: post!.data.postId,
          userId: post!.data.userId,
          content: `Morning coffee ${word}`,
          createdAt: post!.data.createdAt,
          score: expect.any(Number),
        },
      ],
      page: 1,
      limit: 10,
    });
  });

  test('when a post says "running", then searching "run" and "runs" finds it (English stemming)', async () => {
    // Arrange
    const word = uniqueWord();
    const [post] = await arrangePosts(word, [`I love running by the river ${word}`]);
    // Act
    const [byRun, byRuns] = await Promise.all([
      searchIds(h.app, alice, 'run'),
      searchIds(h.app, alice, 'runs'),
    ]);
    // Assert
    expect(byRun).toContain(post!.data.postId);
    expect(byRuns).toContain(post!.data.postId);
  });

  test('when several words are searched, then posts matching more of them rank higher', async () => {
    // Arrange
    const [w1, w2, w3] = [uniqueWord(), uniqueWord(), uniqueWord()];
    const [one, three, two] = await arrangePosts(w1, [
      `${w1} alone here`,
      `${w1} ${w2} ${w3} together`,
      `${w1} ${w2} pair here`,
    ]);
    // Act
    const res = await searchAs(h.app, alice, { query: `${w1} ${w2} ${w3}` });
    // Assert
    const body = res.body as SearchResultBody;
    expect(body.results.map((r) => r.postId)).toEqual([
      three!.data.postId,
      two!.data.postId,
      one!.data.postId,
    ]);
    expect(body.results[0]!.score).toBeGreaterThan(body.results[1]!.score);
    expect(body.results[1]!.score).toBeGreaterThan(body.results[2]!.score);
  });

  test('when results span pages, then each page holds its slice, newest first among equal scores', async () => {
    // Arrange
    const word = uniqueWord();
    const [oldest, middle, newest] = await arrangePosts(word, [`${word} one`, `${word} two`, `${word} six`]);
    // Act
    const page1 = await searchAs(h.app, alice, { query: word, page: 1, limit: 2 });
    const page2 = await searchAs(h.app, alice, { query: word, page: 2, limit: 2 });
    const page3 = await searchAs(h.app, alice, { query: word, page: 3, limit: 2 });
    // Assert
    const ids = (res: request.Response) => (res.body as SearchResultBody).results.map((r) => r.postId);
    expect(page1.body).toMatchObject({ success: true, page: 1, limit: 2 });
    expect(ids(page1)).toEqual([newest!.data.postId, middle!.data.postId]);
    expect(page2.body).toMatchObject({ success: true, page: 2, limit: 2 });
    expect(ids(page2)).toEqual([oldest!.data.postId]);
    expect(ids(page3)).toEqual([]);
  });

  test('when posts tie on score and createdAt, then the larger postId comes first, page after page', async () => {
    // Arrange: stored in ascending postId order, so only the tie-breaker can put them in descending order.
    const word = uniqueWord();
    const createdAt = new Date(Date.now() - 60_000).toISOString();
    const [low, mid, high] = [newObjectId(), newObjectId(), newObjectId()].sort();
    for (const postId of [low!, mid!, high!]) {
      await h.publisher.publish(buildPostCreated({ postId, content: `${word} tie`, createdAt }));
      await waitFor(async () => (await searchIds(h.app, alice, word)).includes(postId), {
        description: 'post searchable',
      });
    }
    // Act
    const page1 = await searchAs(h.app, alice, { query: word, page: 1, limit: 2 });
    const page2 = await searchAs(h.app, alice, { query: word, page: 2, limit: 2 });
    // Assert
    const ids = (res: request.Response) => (res.body as SearchResultBody).results.map((r) => r.postId);
    expect([...ids(page1), ...ids(page2)]).toEqual([high, mid, low]);
  });

  test('when nothing matches, then 200 with no results', async () => {
    // Act
    const res = await searchAs(h.app, alice, { query: uniqueWord() });
    // Assert
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, results: [], page: 1, limit: 10 });
  });

  test('when the query has surrounding spaces, then it is trimmed and still matches', async () => {
    // Arrange
    const word = uniqueWord();
    const [post] = await arrangePosts(word, [`spaced ${word}`]);
    // Act
    const res = await searchAs(h.app, alice, { query: `   ${word}  ` });
    // Assert
    expect((res.body as SearchResultBody).results.map((r) => r.postId)).toEqual([post!.data.postId]);
  });

  test.each([
    ['the query is missing', ''],
    ['the query is empty', '?query='],
    ['the query is only whitespace', '?query=%20%20%20'],
    ['the query is longer than 200 characters', `?query=${'a'.repeat(201)}`],
    ['the query is repeated (an array)', '?query=a&query=b'],
    ['the query is an object', '?query[word]=a'],
    ['page is 0', '?query=a&page=0'],
    ['page is not a number', '?query=a&page=abc'],
    ['limit is above 50', '?query=a&limit=51'],
    ['limit is 0', '?query=a&limit=0'],
    ['an unknown parameter is sent', '?query=a&sort=score'],
  ])('when %s, then 400 with details', async (_case, qs) => {
    // Act
    const res = await request(h.app).get(`/api/search/posts${qs}`).set(alice.auth);
    // Assert
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      success: false,
      message: 'Validation failed',
      requestId: expect.any(String),
      details: expect.arrayContaining([expect.objectContaining({ path: expect.stringMatching(/^query\./) })]),
    });
  });

  test('when the query is exactly 200 characters, then 200', async () => {
    // Act
    const res = await searchAs(h.app, alice, { query: 'a'.repeat(200) });
    // Assert
    expect(res.status).toBe(200);
  });

  test('when there is no token, then 401 with a Bearer challenge', async () => {
    // Act
    const res = await request(h.app).get('/api/search/posts').query({ query: 'anything' });
    // Assert
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(res.body).toMatchObject({ success: false, requestId: expect.any(String) });
  });

  test('when the token is invalid, then 401 invalid_token', async () => {
    // Act
    const res = await request(h.app)
      .get('/api/search/posts')
      .query({ query: 'anything' })
      .set('Authorization', 'Bearer not-a-jwt');
    // Assert
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
  });

  test('when only x-user-id is sent, then 401 (the header is never trusted)', async () => {
    // Act
    const res = await request(h.app)
      .get('/api/search/posts')
      .query({ query: 'a' })
      .set('x-user-id', alice.id);
    // Assert
    expect(res.status).toBe(401);
  });
});

describe('health routes', () => {
  test('when MongoDB and RabbitMQ are up, then /health and /ready answer 200', async () => {
    // Act
    const [health, ready] = await Promise.all([
      request(h.app).get('/health'),
      request(h.internal).get('/ready'),
    ]);
    // Assert
    expect(health.status).toBe(200);
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ success: true, checks: { mongo: 'up', rabbitmq: 'up' } });
  });

  test('when an unknown route is requested, then 404 JSON', async () => {
    // Act
    const res = await request(h.app).get('/api/nothing-here');
    // Assert
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ success: false, requestId: expect.any(String) });
  });
});
