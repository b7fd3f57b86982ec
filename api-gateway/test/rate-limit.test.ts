import request from 'supertest';
import { createRedis } from '@social/common/redis';
import { createTestUser, silentLogger, waitFor } from '@social/testkit/helpers';
import { buildGateway, gatewayConfig, type TestGateway } from './support/gateway';
import { closedPort, startUpstreamStub, type UpstreamStub } from './support/upstream-stub';

let stub: UpstreamStub;
const gateways: TestGateway[] = [];
const gateway = (env: Record<string, string>, redisUrl?: string): TestGateway => {
  const gw = buildGateway({ upstream: stub.url, env: { TRUST_PROXY: '1', ...env }, redisUrl });
  gateways.push(gw);
  return gw;
};
// Each test is its own client: a distinct IP through X-Forwarded-For (trusted: TRUST_PROXY=1).
let ipCounter = 0;
const newIp = (): string => `203.0.113.${++ipCounter}`;
const ready = (gw: TestGateway): Promise<boolean> =>
  waitFor(() => gw.redis.status === 'ready', { description: 'limiter redis ready' });

beforeAll(async () => {
  stub = await startUpstreamStub();
});
afterAll(async () => {
  await Promise.all(gateways.map((gw) => gw.close()));
  await stub.close();
});

const expect429 = (res: request.Response, limit: number, windowSeconds: number): void => {
  expect(res).toMatchObject({
    status: 429,
    body: {
      success: false,
      message: expect.stringMatching(/too many requests/i),
      requestId: expect.any(String),
    },
  });
  expect(res.headers['ratelimit-policy']).toBe(`${limit};w=${windowSeconds}`);
  expect(res.headers.ratelimit).toMatch(new RegExp(`^limit=${limit}, remaining=0, reset=\\d+$`));
  expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
};

describe('per-IP limit (RATE_LIMIT_IP_MAX)', () => {
  test('when one IP goes over the limit, then 429 with RateLimit headers, and another IP is still served', async () => {
    // Arrange
    const gw = gateway({ RATE_LIMIT_IP_MAX: '3' });
    await ready(gw);
    const ip = newIp();
    for (let i = 0; i < 3; i++) {
      const ok = await request(gw.app).get('/v1/auth/ping').set('X-Forwarded-For', ip);
      expect(ok.status).toBe(200);
      expect(ok.headers.ratelimit).toBe(`limit=3, remaining=${2 - i}, reset=60`);
    }
    // Act
    const limited = await request(gw.app).get('/v1/auth/ping').set('X-Forwarded-For', ip);
    const otherIp = await request(gw.app).get('/v1/auth/ping').set('X-Forwarded-For', newIp());
    // Assert
    expect429(limited, 3, 60);
    expect(otherIp.status).toBe(200);
  });

  test('when two gateway instances share Redis, then they share the counter', async () => {
    // Arrange: same config (same key prefix), separate apps and Redis clients, like two replicas.
    const config = gatewayConfig({ upstream: stub.url, env: { TRUST_PROXY: '1', RATE_LIMIT_IP_MAX: '3' } });
    const a = buildGateway({ upstream: stub.url, config });
    const b = buildGateway({ upstream: stub.url, config });
    gateways.push(a, b);
    await Promise.all([ready(a), ready(b)]);
    const ip = newIp();
    // Act
    const statuses = [];
    for (const gw of [a, b, a, b]) {
      statuses.push((await request(gw.app).get('/v1/auth/ping').set('X-Forwarded-For', ip)).status);
    }
    // Assert
    expect(statuses).toEqual([200, 200, 200, 429]);
  });
});

describe('per-user limit (RATE_LIMIT_USER_MAX)', () => {
  test('when one user goes over the limit, then 429 for that user only, even from the same IP', async () => {
    // Arrange
    const gw = gateway({ RATE_LIMIT_USER_MAX: '2' });
    await ready(gw);
    const [alice, bob] = [createTestUser(), createTestUser()];
    const ip = newIp();
    await request(gw.app).get('/v1/posts/all-posts').set(alice.auth).set('X-Forwarded-For', ip).expect(200);
    await request(gw.app).get('/v1/posts/all-posts').set(alice.auth).set('X-Forwarded-For', ip).expect(200);
    // Act
    const limited = await request(gw.app)
      .get('/v1/search/posts?query=x')
      .set(alice.auth)
      .set('X-Forwarded-For', ip);
    const otherUser = await request(gw.app)
      .get('/v1/posts/all-posts')
      .set(bob.auth)
      .set('X-Forwarded-For', ip);
    // Assert
    expect429(limited, 2, 60);
    expect(otherUser.status).toBe(200);
  });

  test('when a user moves to another IP, then the per-user counter follows them', async () => {
    const gw = gateway({ RATE_LIMIT_USER_MAX: '1' });
    await ready(gw);
    const alice = createTestUser();
    await request(gw.app).get('/v1/media').set(alice.auth).set('X-Forwarded-For', newIp()).expect(200);
    const res = await request(gw.app).get('/v1/media').set(alice.auth).set('X-Forwarded-For', newIp());
    expect(res.status).toBe(429);
  });
});

describe('login and register (limited per IP + email in identity-service, not here)', () => {
  test('when one email is tried many times, then the gateway passes every attempt on (one limiter, not two)', async () => {
    // Arrange
    const gw = gateway({});
    await ready(gw);
    const ip = newIp();
    // Act
    const statuses = [];
    for (let i = 0; i < 12; i++) {
      const res = await request(gw.app)
        .post('/v1/auth/login')
        .set('X-Forwarded-For', ip)
        .send({ email: 'victim@example.com', password: `guess-${i}` });
      statuses.push(res.status);
    }
    // Assert
    expect(statuses).toEqual(Array<number>(12).fill(200));
  });

  test('when login bodies pass, then the gateway stores no email address in Redis', async () => {
    const gw = gateway({});
    await ready(gw);
    await request(gw.app)
      .post('/v1/auth/register')
      .set('X-Forwarded-For', newIp())
      .send({ username: 'someone', email: 'Someone@Example.com', password: 'long-password' })
      .expect(200);

    const keys = await gw.redis.keys(`${gw.config.REDIS_KEY_PREFIX}*`);

    expect(keys.join(' ').toLowerCase()).not.toContain('someone@example.com');
    expect(keys.every((k) => k.startsWith(`${gw.config.REDIS_KEY_PREFIX}rl:ip:`))).toBe(true);
  });
});

describe('Redis not ready at boot (rate-limit-redis caches a failed script load)', () => {
  test('when the app is built while Redis is still connecting, then limiting works once it connects', async () => {
    // Arrange: the fail-fast client rejects the store's SCRIPT LOAD while it is still connecting.
    const gw = gateway({ RATE_LIMIT_IP_MAX: '2' });
    expect(gw.redis.status).not.toBe('ready');
    await ready(gw);
    const ip = newIp();
    // Act
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      statuses.push((await request(gw.app).get('/v1/auth/ping').set('X-Forwarded-For', ip)).status);
    }
    // Assert
    expect(statuses).toEqual([200, 200, 429]);
  });

  test('when Redis was unreachable and comes back, then limiting resumes', async () => {
    // Arrange: a client that first fails, then reconnects (ioredis reconnects to the same options on 'ready').
    const port = (await closedPort()).toString();
    const redis = createRedis({ url: `redis://127.0.0.1:${port}`, log: silentLogger() });
    const gw = buildGateway({ upstream: stub.url, redis, env: { TRUST_PROXY: '1', RATE_LIMIT_IP_MAX: '1' } });
    gateways.push(gw);
    const ip = newIp();
    await request(gw.app).get('/v1/auth/ping').set('X-Forwarded-For', ip).expect(200);
    await request(gw.app).get('/v1/auth/ping').set('X-Forwarded-For', ip).expect(200); // failing open
    // Act: point the client at the real Redis, as if it had come back.
    redis.options.port = 6379;
    await ready(gw);
    const statuses = [];
    for (let i = 0; i < 2; i++) {
      statuses.push((await request(gw.app).get('/v1/auth/ping').set('X-Forwarded-For', ip)).status);
    }
    // Assert
    expect(statuses).toEqual([200, 429]);
  });
});

describe('Redis down: fail open', () => {
  test('when the limiter Redis is unreachable, then requests are still served, logged and counted in /metrics', async () => {
    // Arrange
    const gw = gateway(
      { RATE_LIMIT_IP_MAX: '1', RATE_LIMIT_USER_MAX: '1' },
      `redis://127.0.0.1:${await closedPort()}`,
    );
    const alice = createTestUser();
    const ip = newIp();
    // Act
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      statuses.push(
        (await request(gw.app).get('/v1/posts/all-posts').set(alice.auth).set('X-Forwarded-For', ip)).status,
      );
    }
    const metrics = await request(gw.internal).get('/metrics');
    // Assert
    expect(statuses).toEqual([200, 200, 200]);
    expect(metrics.text).toMatch(/gateway_rate_limit_store_errors_total\{[^}]*limiter="ip"[^}]*\} 3/);
    expect(metrics.text).toMatch(/gateway_rate_limit_store_errors_total\{[^}]*limiter="user"[^}]*\} 3/);
    expect(gw.logs).toContainEqual(
      expect.objectContaining({ level: 'warn', message: 'rate limiter degraded' }),
    );
  });
});

describe('both limits in one Redis round trip', () => {
  const userKey = (gw: TestGateway, id: string): string => `${gw.config.REDIS_KEY_PREFIX}rl:user:${id}`;
  const ipKey = (gw: TestGateway, ip: string): string => `${gw.config.REDIS_KEY_PREFIX}rl:ip:${ip}`;

  test('when an authenticated request passes, then one Redis call counts both, and the per-user headers answer', async () => {
    // Arrange
    const gw = gateway({ RATE_LIMIT_IP_MAX: '10', RATE_LIMIT_USER_MAX: '5' });
    await ready(gw);
    const alice = createTestUser();
    const ip = newIp();
    const evalsha = jest.spyOn(gw.redis, 'evalsha');
    const call = jest.spyOn(gw.redis, 'call');
    // Act
    const res = await request(gw.app).get('/v1/posts/all-posts').set(alice.auth).set('X-Forwarded-For', ip);
    // Assert
    expect(res.status).toBe(200);
    expect(res.headers['ratelimit-policy']).toBe('5;w=60');
    expect(res.headers.ratelimit).toBe('limit=5, remaining=4, reset=60');
    expect(evalsha.mock.calls.length + call.mock.calls.length).toBe(1);
    expect(await gw.redis.get(ipKey(gw, ip))).toBe('1');
    expect(await gw.redis.get(userKey(gw, alice.id))).toBe('1');
  });

  test('when the token does not verify, then 401, the IP is counted and no user is', async () => {
    // Arrange
    const gw = gateway({});
    await ready(gw);
    const ip = newIp();
    // Act
    const res = await request(gw.app)
      .get('/v1/posts/all-posts')
      .set('Authorization', 'Bearer a.b.c')
      .set('X-Forwarded-For', ip);
    // Assert
    expect(res).toMatchObject({ status: 401, body: { success: false, message: 'Invalid access token' } });
    expect(await gw.redis.get(ipKey(gw, ip))).toBe('1');
    expect(await gw.redis.keys(userKey(gw, '*'))).toEqual([]);
  });

  test('when the IP is over its limit, then 429 from the per-IP limiter and the user is not counted', async () => {
    // Arrange
    const gw = gateway({ RATE_LIMIT_IP_MAX: '1', RATE_LIMIT_USER_MAX: '5' });
    await ready(gw);
    const alice = createTestUser();
    const ip = newIp();
    await request(gw.app).get('/v1/posts/all-posts').set(alice.auth).set('X-Forwarded-For', ip).expect(200);
    // Act
    const limited = await request(gw.app)
      .get('/v1/posts/all-posts')
      .set(alice.auth)
      .set('X-Forwarded-For', ip);
    // Assert
    expect429(limited, 1, 60);
    expect(await gw.redis.get(userKey(gw, alice.id))).toBe('1');
  });

  test('when a public route carries a valid token, then only the IP is counted', async () => {
    // Arrange
    const gw = gateway({});
    await ready(gw);
    const alice = createTestUser();
    const ip = newIp();
    // Act
    await request(gw.app).get('/v1/auth/ping').set(alice.auth).set('X-Forwarded-For', ip).expect(200);
    await request(gw.app).get('/v1/media/files/x.png').set(alice.auth).set('X-Forwarded-For', ip).expect(200);
    // Assert
    expect(await gw.redis.get(ipKey(gw, ip))).toBe('2');
    expect(await gw.redis.get(userKey(gw, alice.id))).toBeNull();
  });

  test('when Redis is down, then an authenticated request is served and each limiter counts its failure once', async () => {
    // Arrange
    const gw = gateway({}, `redis://127.0.0.1:${await closedPort()}`);
    const alice = createTestUser();
    // Act
    const res = await request(gw.app)
      .get('/v1/search/posts?query=x')
      .set(alice.auth)
      .set('X-Forwarded-For', newIp());
    const metrics = await request(gw.internal).get('/metrics');
    // Assert
    expect(res.status).toBe(200);
    expect(metrics.text).toMatch(/gateway_rate_limit_store_errors_total\{[^}]*limiter="ip"[^}]*\} 1\n/);
    expect(metrics.text).toMatch(/gateway_rate_limit_store_errors_total\{[^}]*limiter="user"[^}]*\} 1\n/);
  });
});

describe('the production Redis client (the requests of a turn counted in one script call)', () => {
  test('when requests arrive together, then each one is counted and the limits hold', async () => {
    // Arrange
    const redis = createRedis({ url: 'redis://127.0.0.1:6379', log: silentLogger() });
    const gw = buildGateway({
      upstream: stub.url,
      redis,
      env: { TRUST_PROXY: '1', RATE_LIMIT_IP_MAX: '100', RATE_LIMIT_USER_MAX: '3' },
    });
    gateways.push(gw);
    await ready(gw);
    const alice = createTestUser();
    const ip = newIp();
    // Act
    const statuses = await Promise.all(
      Array.from(
        { length: 5 },
        async () =>
          (await request(gw.app).get('/v1/posts/all-posts').set(alice.auth).set('X-Forwarded-For', ip))
            .status,
      ),
    );
    // Assert
    expect(statuses.sort()).toEqual([200, 200, 200, 429, 429]);
    expect(await gw.redis.get(`${gw.config.REDIS_KEY_PREFIX}rl:ip:${ip}`)).toBe('5');
  });
});
