import { waitFor } from '@social/testkit/helpers';
import type { RunningStack } from '../scripts/stack/start-stack';
import { deleteBrokerTopology } from './support/broker';
import { ensureSharedInfrastructure } from './support/infra';
import {
  call,
  createPost,
  errorShape,
  marker,
  register,
  startFaultStack,
  type Account,
} from './support/stack';

/** /ready of a service's internal listener. */
const ready = async (url: string): Promise<number> =>
  (await fetch(`${url}/ready`, { signal: AbortSignal.timeout(10_000) })).status;

describe('MongoDB down for one service', () => {
  let stack: RunningStack;
  let alice: Account;

  beforeAll(async () => {
    stack = await startFaultStack({ ownMongo: ['post-service', 'identity-service'] });
    alice = await register(stack.gatewayUrl);
  });

  afterAll(async () => {
    await stack?.stop();
    await ensureSharedInfrastructure();
    if (stack) await deleteBrokerTopology(stack);
  });

  afterEach(async () => {
    await stack.mongo['post-service']?.start();
    await stack.mongo['identity-service']?.start();
  });

  test('when post-service loses MongoDB, then its /ready is 503, its routes answer 503 JSON fast, and the others are unaffected', async () => {
    // Arrange
    const post = await createPost(stack.gatewayUrl, alice.accessToken, `${marker()} before the outage`);

    // Act
    await stack.mongo['post-service']?.stop();

    // Assert
    await waitFor(async () => (await ready(stack.internalUrls['post-service'])) === 503, {
      timeoutMs: 10_000,
    });
    const replies = [
      await call(stack.gatewayUrl, 'GET', '/v1/posts/all-posts', { token: alice.accessToken }),
      await call(stack.gatewayUrl, 'POST', '/v1/posts/create-post', {
        token: alice.accessToken,
        json: { content: 'x' },
      }),
      await call(stack.gatewayUrl, 'DELETE', `/v1/posts/${post.body.post.id}`, { token: alice.accessToken }),
    ];
    for (const reply of replies) {
      expect(reply).toMatchObject({ status: 503, body: errorShape });
      expect(JSON.stringify(reply.body)).not.toMatch(/\bat .+\.(js|ts):\d+|Mongo/);
      expect(reply.ms).toBeLessThan(5_000);
    }
    for (const other of ['identity-service', 'media-service', 'search-service'] as const) {
      expect(await ready(stack.internalUrls[other])).toBe(200);
    }
    expect((await call(stack.gatewayUrl, 'GET', '/v1/media', { token: alice.accessToken })).status).toBe(200);
    expect(
      (await call(stack.gatewayUrl, 'GET', '/v1/search/posts?query=outage', { token: alice.accessToken }))
        .status,
    ).toBe(200);
    const login = await call(stack.gatewayUrl, 'POST', '/v1/auth/login', {
      json: { email: alice.email, password: alice.password },
    });
    expect(login.status).toBe(200);
  });

  test('when post-service’s MongoDB comes back, then it recovers without a restart', async () => {
    // Arrange
    const pid = stack.pid('post-service');
    await stack.mongo['post-service']?.stop();
    await waitFor(async () => (await ready(stack.internalUrls['post-service'])) === 503, {
      timeoutMs: 10_000,
    });

    // Act
    await stack.mongo['post-service']?.start();

    // Assert
    await waitFor(async () => (await ready(stack.internalUrls['post-service'])) === 200, {
      timeoutMs: 20_000,
      description: 'post-service ready again',
    });
    const word = marker();
    const created = await createPost(stack.gatewayUrl, alice.accessToken, `${word} after the outage`);
    expect(created.status).toBe(201);
    const read = await call(stack.gatewayUrl, 'GET', `/v1/posts/${created.body.post.id}`, {
      token: alice.accessToken,
    });
    expect(read).toMatchObject({ status: 200, body: { post: { id: created.body.post.id } } });
    expect(stack.pid('post-service')).toBe(pid);
  });

  test('when identity-service loses MongoDB, then register/login answer 503 JSON fast, posts still work, and it recovers', async () => {
    // Arrange
    const bob = await register(stack.gatewayUrl);

    // Act
    await stack.mongo['identity-service']?.stop();

    // Assert
    await waitFor(async () => (await ready(stack.internalUrls['identity-service'])) === 503, {
      timeoutMs: 10_000,
    });
    const login = await call(stack.gatewayUrl, 'POST', '/v1/auth/login', {
      json: { email: bob.email, password: bob.password },
    });
    expect(login).toMatchObject({ status: 503, body: errorShape });
    expect(login.ms).toBeLessThan(5_000);
    const post = await createPost(stack.gatewayUrl, bob.accessToken, 'tokens still verify without identity');
    expect(post.status).toBe(201);
    await stack.mongo['identity-service']?.start();
    await waitFor(async () => (await ready(stack.internalUrls['identity-service'])) === 200, {
      timeoutMs: 20_000,
    });
    await waitFor(
      async () =>
        (
          await call(stack.gatewayUrl, 'POST', '/v1/auth/register', {
            json: { username: `r${marker()}`, email: `${marker()}@example.com`, password: 'long-enough-pw' },
          })
        ).status === 201,
      { timeoutMs: 10_000, description: 'register works again' },
    );
  });
});
