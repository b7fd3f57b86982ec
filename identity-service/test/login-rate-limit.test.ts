import { once } from 'node:events';
import { Redis } from 'ioredis';
import request from 'supertest';
import {
  DEAD_REDIS_URL,
  REDIS_URL,
  allLogText,
  metricValue,
  registerUser,
  startTestApp,
  startTestDatabase,
  type TestDatabase,
  type TestIdentityApp,
} from './support/identity-test-app';

const MAX = 3;
let db: TestDatabase;
let svc: TestIdentityApp;

beforeAll(async () => {
  await admin.connect();
  db = await startTestDatabase();
  svc = await startTestApp(db, { LOGIN_RATE_LIMIT_MAX: MAX, LOGIN_RATE_LIMIT_WINDOW_MS: 60_000 });
});

const extraApps: TestIdentityApp[] = [];
const track = (app: TestIdentityApp): TestIdentityApp => {
  extraApps.push(app);
  return app;
};
const admin = new Redis(REDIS_URL, { lazyConnect: true });

afterEach(async () => {
  await Promise.all(extraApps.splice(0).map((a) => a.close()));
});

afterAll(async () => {
  await admin.quit();
  await svc.close();
  await db.close();
});

const login = (app: TestIdentityApp['app'], body: object, ip = '203.0.113.10') =>
  request(app).post('/api/auth/login').set('X-Forwarded-For', ip).send(body);

describe('POST /api/auth/login rate limit (per email + client IP, in Redis)', () => {
  test('when the attempts for one email from one IP exceed the limit, then 429 JSON with rate-limit headers', async () => {
    // Arrange
    const alice = await registerUser(svc.app);
    for (let i = 0; i < MAX; i++)
      await login(svc.app, { email: alice.email, password: 'wrong-guess' }).expect(401);
    // Act: even the right password is refused now
    const res = await login(svc.app, { email: alice.email, password: alice.password });
    // Assert
    expect(res.status).toBe(429);
    expect(res.body).toEqual({
      success: false,
      message: 'Too many login attempts, please try again later',
      requestId: expect.any(String),
    });
    expect(res.headers).toMatchObject({
      ratelimit: expect.stringMatching(/^limit=3, remaining=0, reset=\d+$/),
      'ratelimit-policy': '3;w=60',
      'retry-after': expect.stringMatching(/^\d+$/),
    });
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(60);
  });

  test('when under the limit, then the answer carries the remaining budget', async () => {
    const alice = await registerUser(svc.app);

    const res = await login(svc.app, { email: alice.email, password: alice.password }, '203.0.113.11');

    expect(res.status).toBe(200);
    expect(res.headers.ratelimit).toMatch(/^limit=3, remaining=2, reset=\d+$/);
  });

  test('when one email is locked out, then other emails from that IP and that email from another IP still log in', async () => {
    const alice = await registerUser(svc.app);
    const bob = await registerUser(svc.app);
    const ip = '203.0.113.12';
    for (let i = 0; i <= MAX; i++) await login(svc.app, { email: alice.email, password: 'wrong-guess' }, ip);
    await login(svc.app, { email: alice.email, password: alice.password }, ip).expect(429);

    await login(svc.app, { email: bob.email, password: bob.password }, ip).expect(200);
    await login(svc.app, { email: alice.email, password: alice.password }, '198.51.100.7').expect(200);
  });

  test('when the email differs only in case, then it counts against the same bucket', async () => {
    const alice = await registerUser(svc.app);
    const ip = '203.0.113.13';
    for (let i = 0; i < MAX; i++)
      await login(svc.app, { email: alice.email.toUpperCase(), password: 'nope-nope' }, ip);

    await login(svc.app, { email: ` ${alice.email} `, password: alice.password }, ip).expect(429);
  });

  test('when limited, then the limiter keys live under the service prefix and hold no email address', async () => {
    const alice = await registerUser(svc.app);
    await login(svc.app, { email: alice.email, password: alice.password }, '203.0.113.14').expect(200);

    const keys = await svc.redis.keys(`${svc.config.REDIS_KEY_PREFIX}rl:login:*`);

    expect(keys.length).toBeGreaterThan(0);
    expect(keys.join(' ')).not.toContain(alice.email);
  });

  test('when a request is limited, then it is logged without the password and counted', async () => {
    const alice = await registerUser(svc.app);
    const before = await metricValue(svc.app, 'auth_logins_total', { outcome: 'rate_limited' });
    for (let i = 0; i < MAX; i++)
      await login(svc.app, { email: alice.email, password: 'secret-guess-1' }, '203.0.113.15');

    await login(svc.app, { email: alice.email, password: alice.password }, '203.0.113.15').expect(429);

    expect(svc.logs).toContainEqual(
      expect.objectContaining({ level: 'warn', message: 'login rate limit exceeded' }),
    );
    expect(allLogText(svc.logs)).not.toContain(alice.password);
    expect(allLogText(svc.logs)).not.toContain('secret-guess-1');
    expect(await metricValue(svc.app, 'auth_logins_total', { outcome: 'rate_limited' })).toBe(before + 1);
  });

  test('when the app was created before Redis connected (every boot), then limiting still works once it is ready', async () => {
    // startTestApp builds the app while the client is still connecting, as server.ts does; prove that here.
    const fresh = track(
      await startTestApp(db, { LOGIN_RATE_LIMIT_MAX: 1, LOGIN_RATE_LIMIT_WINDOW_MS: 60_000 }),
    );
    const alice = await registerUser(fresh.app);

    await login(fresh.app, { email: alice.email, password: alice.password }).expect(200);
    const res = await login(fresh.app, { email: alice.email, password: alice.password });

    expect(res.status).toBe(429);
    // express-rate-limit's own configuration checks (e.g. ERR_ERL_KEY_GEN_IPV6) stay silent.
    expect(allLogText(fresh.logs)).not.toContain('ERR_ERL_');
  });

  test('when Redis is unreachable, then login fails open, and the outage is logged and counted', async () => {
    const degraded = track(await startTestApp(db, { REDIS_URL: DEAD_REDIS_URL, LOGIN_RATE_LIMIT_MAX: 1 }));
    const alice = await registerUser(degraded.app);

    const results = [];
    for (let i = 0; i < 3; i++) {
      results.push(await login(degraded.app, { email: alice.email, password: alice.password }));
    }

    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(results[0]!.headers.ratelimit).toBeUndefined();
    expect(await metricValue(degraded.app, 'auth_rate_limit_store_errors_total')).toBe(3);
    expect(degraded.logs).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: 'rate limiter degraded',
        detail: expect.stringContaining('allowing request without rate-limiting'),
      }),
    );
    expect(allLogText(degraded.logs)).not.toContain(alice.password);
  });

  test('when the Redis connection drops and comes back, then limiting continues', async () => {
    const fresh = track(
      await startTestApp(db, { LOGIN_RATE_LIMIT_MAX: 1, LOGIN_RATE_LIMIT_WINDOW_MS: 60_000 }),
    );
    const alice = await registerUser(fresh.app);
    const ownId = String(await fresh.redis.client('ID'));
    const reconnected = once(fresh.redis, 'ready');
    // Kill the app's connection server-side, as a Redis restart would; ioredis reconnects and emits 'ready'.
    await admin.client('KILL', 'ID', ownId);
    await reconnected;

    await login(fresh.app, { email: alice.email, password: alice.password }).expect(200);
    await login(fresh.app, { email: alice.email, password: alice.password }).expect(429);
  });
});
