import express, { type Express, type Request } from 'express';
import request from 'supertest';
import { captureLogger, silentLogger, uniqueName, waitFor } from '@social/testkit/helpers';
import { errorHandler, requestContext } from '../src/http';
import type { Logger } from '../src/logger';
import { clientIp, redisRateLimit, turnBatchedCounts, type RedisRateLimitOptions } from '../src/rate-limit';
import { closeRedis, createRedis, type Redis } from '../src/redis';
import { closedPort } from './support/tcp-proxy';

const REDIS_URL = 'redis://127.0.0.1:6379';

let redis: Redis;
const prefixes: string[] = [];
const extraClients: Redis[] = [];

beforeAll(async () => {
  redis = createRedis({ url: REDIS_URL, log: silentLogger() });
  await waitFor(() => redis.status === 'ready', { description: 'redis ready' });
});

afterEach(async () => {
  await Promise.all(extraClients.splice(0).map((client) => closeRedis(client)));
});

afterAll(async () => {
  const keys = (await Promise.all(prefixes.map((p) => redis.keys(`${p}*`)))).flat();
  if (keys.length > 0) await redis.del(...keys);
  await closeRedis(redis);
});

/** A per-test prefix, so counters never meet another test's (or another run's). */
const newPrefix = (): string => {
  const prefix = `${uniqueName('rl')}:`;
  prefixes.push(prefix);
  return prefix;
};

const byClientHeader = (req: Request): string => req.get('x-client') ?? 'anonymous';

function buildApp(overrides: Partial<RedisRateLimitOptions> & { log?: Logger } = {}): {
  app: Express;
  prefix: string;
} {
  const prefix = overrides.prefix ?? newPrefix();
  const log = overrides.log ?? silentLogger();
  const app = express();
  app.use(requestContext());
  app.use(
    redisRateLimit({ redis, prefix, windowMs: 60_000, limit: 2, keyGenerator: clientIp, log, ...overrides }),
  );
  app.get('/ping', (_req, res) => {
    res.json({ success: true });
  });
  app.use(errorHandler(log));
  return { app, prefix };
}

describe('redisRateLimit', () => {
  test('when a client goes over `limit`, then 429 in the common error shape with draft-7 headers and Retry-After', async () => {
    // Arrange
    const limited: string[] = [];
    const { app } = buildApp({ onLimited: (req) => limited.push(req.path) });
    await request(app).get('/ping').expect(200);
    await request(app).get('/ping').expect(200);

    // Act
    const res = await request(app).get('/ping');

    // Assert
    expect(res).toMatchObject({
      status: 429,
      body: {
        success: false,
        message: 'Too many requests, please try again later',
        requestId: res.headers['x-request-id'],
      },
      headers: {
        'ratelimit-policy': '2;w=60',
        ratelimit: expect.stringMatching(/^limit=2, remaining=0, reset=\d+$/),
        'retry-after': expect.stringMatching(/^\d+$/),
      },
    });
    expect(res.headers['x-ratelimit-limit']).toBeUndefined();
    expect(limited).toEqual(['/ping']);
  });

  test('when requests are under the limit, then they pass with the remaining budget in the headers', async () => {
    // Arrange
    const { app } = buildApp({ limit: 5 });

    // Act
    const res = await request(app).get('/ping');

    // Assert
    expect(res).toMatchObject({
      status: 200,
      body: { success: true },
      headers: { ratelimit: expect.stringMatching(/^limit=5, remaining=4, reset=\d+$/) },
    });
    expect(res.headers['retry-after']).toBeUndefined();
  });

  test('when a custom message is set, then the 429 carries it', async () => {
    // Arrange
    const { app } = buildApp({ limit: 1, message: 'Too many login attempts' });
    await request(app).get('/ping').expect(200);

    // Act
    const res = await request(app).get('/ping');

    // Assert
    expect(res).toMatchObject({ status: 429, body: { success: false, message: 'Too many login attempts' } });
  });

  test('when two limiters count the same client under different prefixes, then their budgets are separate', async () => {
    // Arrange
    const first = buildApp({ limit: 1, keyGenerator: byClientHeader });
    const second = buildApp({ limit: 1, keyGenerator: byClientHeader });
    await request(first.app).get('/ping').set('x-client', 'alice').expect(200);
    await request(first.app).get('/ping').set('x-client', 'alice').expect(429);

    // Act
    const res = await request(second.app).get('/ping').set('x-client', 'alice');

    // Assert: the counters live in Redis under each limiter's own prefix
    expect(res.status).toBe(200);
    expect(await redis.get(`${first.prefix}alice`)).toBe('2');
    expect(await redis.get(`${second.prefix}alice`)).toBe('1');
  });

  test('when two clients share a limiter, then each one has its own budget', async () => {
    // Arrange
    const { app } = buildApp({ limit: 1, keyGenerator: byClientHeader });
    await request(app).get('/ping').set('x-client', 'alice').expect(200);

    // Act
    const res = await request(app).get('/ping').set('x-client', 'bob');

    // Assert
    expect(res.status).toBe(200);
  });

  test('when Redis is unreachable, then requests are served uncounted and each store failure is reported', async () => {
    // Arrange
    const down = createRedis({ url: `redis://127.0.0.1:${await closedPort()}`, log: silentLogger() });
    extraClients.push(down);
    const { log, lines } = captureLogger();
    let storeErrors = 0;
    const app = express().use(
      redisRateLimit({
        redis: down,
        prefix: newPrefix(),
        windowMs: 60_000,
        limit: 1,
        keyGenerator: clientIp,
        log,
        onStoreError: () => storeErrors++,
      }),
      (_req, res) => {
        res.json({ success: true });
      },
    );

    // Act
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await request(app).get('/ping')).status);

    // Assert
    expect(statuses).toEqual([200, 200, 200]);
    expect(storeErrors).toBe(3);
    expect(lines.filter((l) => l.message === 'rate limiter degraded')).toHaveLength(3);
    expect(lines.every((l) => l.level === 'warn')).toBe(true);
  });

  test('when the limiter is created while its client is still connecting, then it limits once connected', async () => {
    // Arrange: the usual boot order; the store's first script load fails because the client is not ready yet
    const connecting = createRedis({ url: REDIS_URL, log: silentLogger() });
    extraClients.push(connecting);
    expect(connecting.status).toBe('connecting');
    let storeErrors = 0;
    const { app } = buildApp({ redis: connecting, limit: 1, onStoreError: () => storeErrors++ });
    await waitFor(() => connecting.status === 'ready', { description: 'redis ready' });

    // Act
    const first = await request(app).get('/ping');
    const second = await request(app).get('/ping');

    // Assert
    expect([first.status, second.status]).toEqual([200, 429]);
    expect(storeErrors).toBe(0);
  });

  test('when a limiter speaks only when it limits, then passing answers carry no headers of its own and its 429 carries all of them', async () => {
    // Arrange
    const { app } = buildApp({ limit: 1, headers: 'when-limited' });
    // Act
    const passed = await request(app).get('/ping');
    const limited = await request(app).get('/ping');
    // Assert
    expect(passed.status).toBe(200);
    expect(passed.headers).not.toHaveProperty('ratelimit');
    expect(passed.headers).not.toHaveProperty('ratelimit-policy');
    expect(limited.status).toBe(429);
    expect(limited.headers).toMatchObject({
      ratelimit: expect.stringMatching(/^limit=1, remaining=0, reset=\d+$/),
      'ratelimit-policy': '1;w=60',
      'retry-after': expect.stringMatching(/^[1-9]\d*$/),
    });
  });
});

describe('turnBatchedCounts (the paired limiters’ counter)', () => {
  const windowMs = 60_000;

  // A Redis that has not seen the script answers its first call NOSCRIPT and gets EVAL: load it before counting.
  beforeAll(async () => {
    await turnBatchedCounts({ redis, windowMs, firstLimit: 1 })(`${newPrefix()}warm-up`, undefined);
  });

  /** The script calls Redis receives for keys under `prefix`, as MONITOR reports them. */
  async function scriptCallsFor(prefix: string, act: () => Promise<unknown>): Promise<number> {
    const monitor = await redis.monitor();
    let calls = 0;
    monitor.on('monitor', (_time: string, args: string[]) => {
      const name = String(args[0]).toLowerCase();
      if ((name === 'evalsha' || name === 'eval') && args.some((a) => String(a).startsWith(prefix))) calls++;
    });
    try {
      await act();
      // MONITOR lines may trail the replies: wait until Redis has answered a command sent after them.
      await redis.ping();
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      monitor.disconnect();
    }
    return calls;
  }

  test('when many requests are counted in one turn, then each gets its own count and Redis sees one script call', async () => {
    // Arrange
    const prefix = newPrefix();
    const count = turnBatchedCounts({ redis, windowMs, firstLimit: 1_000 });
    // Act
    let results: Awaited<ReturnType<typeof count>>[] = [];
    const calls = await scriptCallsFor(prefix, async () => {
      results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => count(`${prefix}ip`, `${prefix}user:${i % 2}`)),
      );
    });
    // Assert
    expect(calls).toBe(1);
    expect(results.map((r) => r.first.totalHits)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(results.map((r) => r.second?.totalHits)).toEqual(
      Array.from({ length: 50 }, (_, i) => Math.floor(i / 2) + 1),
    );
    expect(results.every((r) => (r.first.resetTime?.getTime() ?? 0) > Date.now())).toBe(true);
    expect(await redis.pttl(`${prefix}ip`)).toBeGreaterThan(windowMs - 5_000);
  });

  test('when a request’s first key is over its limit, then its second key is left alone', async () => {
    // Arrange
    const prefix = newPrefix();
    const count = turnBatchedCounts({ redis, windowMs, firstLimit: 3 });
    // Act
    const results = await Promise.all(Array.from({ length: 5 }, () => count(`${prefix}ip`, `${prefix}user`)));
    // Assert
    expect(results.map((r) => [r.first.totalHits, r.second?.totalHits])).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
      [4, undefined],
      [5, undefined],
    ]);
    expect(await redis.get(`${prefix}user`)).toBe('3');
  });

  test('when a request has only a first key, then only that key moves', async () => {
    // Arrange
    const prefix = newPrefix();
    const count = turnBatchedCounts({ redis, windowMs, firstLimit: 10 });
    // Act
    const [withSecond, alone] = await Promise.all([
      count(`${prefix}a`, `${prefix}b`),
      count(`${prefix}a`, undefined),
    ]);
    // Assert
    expect([withSecond?.first.totalHits, withSecond?.second?.totalHits]).toEqual([1, 1]);
    expect([alone?.first.totalHits, alone?.second]).toEqual([2, undefined]);
    expect(await redis.get(`${prefix}b`)).toBe('1');
  });

  test('when a burst is larger than one call holds, then it is split and every request is still counted once', async () => {
    // Arrange
    const prefix = newPrefix();
    const count = turnBatchedCounts({ redis, windowMs, firstLimit: 10_000 });
    // Act
    let results: Awaited<ReturnType<typeof count>>[] = [];
    const calls = await scriptCallsFor(prefix, async () => {
      results = await Promise.all(Array.from({ length: 600 }, () => count(`${prefix}ip`, undefined)));
    });
    // Assert
    expect(calls).toBe(3);
    expect(results.map((r) => r.first.totalHits)).toEqual(Array.from({ length: 600 }, (_, i) => i + 1));
    expect(await redis.get(`${prefix}ip`)).toBe('600');
  });

  test('when Redis is unreachable, then every request of the turn gets the error', async () => {
    // Arrange
    const down = createRedis({ url: `redis://127.0.0.1:${await closedPort()}`, log: silentLogger() });
    extraClients.push(down);
    const count = turnBatchedCounts({ redis: down, windowMs, firstLimit: 10 });
    // Act
    const settled = await Promise.allSettled(Array.from({ length: 3 }, () => count('k1', 'k2')));
    // Assert
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'rejected']);
  });
});
