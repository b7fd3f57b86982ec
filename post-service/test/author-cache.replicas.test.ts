import request from 'supertest';
import { createTestUser, waitFor } from '@social/testkit/helpers';
import { arrange } from './support/post-data';
import {
  startInfra,
  startPostApp,
  stopInfra,
  type PostTestEnv,
  type PostTestInfra,
} from './support/post-app';
import { deliver, profileEvent } from './support/user-events';

const TTL_MS = 300;

/** Two replicas on one database; only `consuming` gets the profile events, as one of N replicas does. */
let infra: PostTestInfra;
let consuming: PostTestEnv;
let other: PostTestEnv;

beforeAll(async () => {
  infra = await startInfra();
  [consuming, other] = await Promise.all([
    startPostApp(infra, { authorCacheTtlMs: TTL_MS }),
    startPostApp(infra, { authorCacheTtlMs: TTL_MS, consumers: false }),
  ]);
});
afterAll(async () => {
  await Promise.all([consuming.close(), other.close()]);
  await stopInfra(infra);
});

const displayNameOn = async (env: PostTestEnv, postId: string, auth: Record<string, string>) =>
  (
    (await request(env.app).get(`/api/posts/${postId}`).set(auth).expect(200)).body as {
      post: { author: { displayName: string | null } };
    }
  ).post.author.displayName;

describe('authors remembered per replica', () => {
  test('when another replica projects a new profile, then this one shows it within the TTL', async () => {
    // Arrange: both replicas have shown the post, so both remember its author
    const alice = createTestUser();
    const post = await arrange(consuming.app).createPost(alice);
    await deliver(consuming, consuming.queues.userProjection, profileEvent(alice, { displayName: 'Before' }));
    expect(await displayNameOn(other, post.id, alice.auth)).toBe('Before');
    // Act
    await deliver(consuming, consuming.queues.userProjection, profileEvent(alice, { displayName: 'After' }));
    const projectedAt = Date.now();
    // Assert: at once where it was projected, within the TTL elsewhere
    expect(await displayNameOn(consuming, post.id, alice.auth)).toBe('After');
    await waitFor(async () => (await displayNameOn(other, post.id, alice.auth)) === 'After', {
      timeoutMs: TTL_MS + 1_000,
      description: 'the other replica showing the new name',
    });
    expect(Date.now() - projectedAt).toBeLessThan(TTL_MS + 1_000);
  });
});
