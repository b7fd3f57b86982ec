import { waitFor } from '@social/testkit/helpers';
import type { RunningStack } from '../scripts/stack/start-stack';
import { deleteBrokerTopology } from './support/broker';
import { ensureSharedInfrastructure, startPrivateRedis, type PrivateRedis } from './support/infra';
import {
  call,
  createPost,
  marker,
  metricValue,
  register,
  startFaultStack,
  type Account,
} from './support/stack';

// Redis is an optimisation (post cache) and the limiter store (gateway, login): losing it degrades, never breaks.
describe('Redis down', () => {
  let redis: PrivateRedis;
  let stack: RunningStack;
  let alice: Account;

  const postHits = (): Promise<number> =>
    metricValue(stack.internalUrls['post-service'], 'post_cache_lookups_total', {
      cache: 'post',
      result: 'hit',
    });
  const limiterFailures = (): Promise<number> =>
    metricValue(stack.internalUrls['api-gateway'], 'gateway_rate_limit_store_errors_total');

  beforeAll(async () => {
    redis = await startPrivateRedis();
    stack = await startFaultStack({ shared: { REDIS_URL: redis.url } });
    alice = await register(stack.gatewayUrl);
  });

  afterAll(async () => {
    await redis?.start();
    await stack?.stop();
    await redis?.close();
    await ensureSharedInfrastructure();
    if (stack) await deleteBrokerTopology(stack);
  });

  afterEach(async () => {
    // Also when a test failed: the next one starts with Redis up.
    await redis.start();
  });

  test('when Redis is stopped, then reads come from MongoDB, writes succeed, login works and the gateway fails open', async () => {
    // Arrange
    const existing = await createPost(
      stack.gatewayUrl,
      alice.accessToken,
      `${marker()} cached before the outage`,
    );
    const id = existing.body.post.id;
    await call(stack.gatewayUrl, 'GET', `/v1/posts/${id}`, { token: alice.accessToken });
    const failuresBefore = await limiterFailures();

    // Act
    await redis.stop();
    const replies = [
      await call(stack.gatewayUrl, 'GET', `/v1/posts/${id}`, { token: alice.accessToken }),
      await call(stack.gatewayUrl, 'GET', '/v1/posts/all-posts?limit=5', { token: alice.accessToken }),
      await createPost(stack.gatewayUrl, alice.accessToken, `${marker()} written during the outage`),
      await call(stack.gatewayUrl, 'DELETE', `/v1/posts/${id}`, { token: alice.accessToken }),
      await call(stack.gatewayUrl, 'GET', `/v1/posts/${id}`, { token: alice.accessToken }),
      await call(stack.gatewayUrl, 'POST', '/v1/auth/login', {
        json: { email: alice.email, password: alice.password },
      }),
      await call(stack.gatewayUrl, 'GET', '/v1/search/posts?query=outage', { token: alice.accessToken }),
    ];

    // Assert
    expect(replies.map((r) => r.status)).toEqual([200, 200, 201, 200, 404, 200, 200]);
    expect(replies[0]?.body).toMatchObject({ success: true, post: { id } });
    expect(Math.max(...replies.map((r) => r.ms))).toBeLessThan(3_000);
    expect(await limiterFailures()).toBeGreaterThan(failuresBefore);
  });

  test('when Redis comes back, then the post cache serves hits again and the limiter counts again', async () => {
    // Arrange
    await redis.stop();
    const post = await createPost(stack.gatewayUrl, alice.accessToken, `${marker()} read after the outage`);
    const path = `/v1/posts/${post.body.post.id}`;

    // Act
    await redis.start();

    // Assert
    await waitFor(
      async () => {
        const before = await postHits();
        await call(stack.gatewayUrl, 'GET', path, { token: alice.accessToken });
        await call(stack.gatewayUrl, 'GET', path, { token: alice.accessToken });
        return (await postHits()) > before;
      },
      { timeoutMs: 15_000, intervalMs: 200, description: 'a post cache hit after Redis is back' },
    );
    await waitFor(
      async () => {
        const before = await limiterFailures();
        const res = await call(stack.gatewayUrl, 'GET', path, { token: alice.accessToken });
        return (
          res.status === 200 && res.headers.get('ratelimit') !== null && (await limiterFailures()) === before
        );
      },
      { timeoutMs: 15_000, intervalMs: 200, description: 'the gateway limiter counting in Redis again' },
    );
  });
});
