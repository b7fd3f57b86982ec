import request from 'supertest';
import {
  DEAD_REDIS_URL,
  metricValue,
  registerUser,
  startTestApp,
  startTestDatabase,
  type TestDatabase,
  type TestIdentityApp,
} from './support/identity-test-app';
import { identityConfigSchema } from '../src/config';

let db: TestDatabase;
let svc: TestIdentityApp;

beforeAll(async () => {
  db = await startTestDatabase();
  svc = await startTestApp(db);
});

afterAll(async () => {
  await svc.close();
  await db.close();
});

describe('probes and metrics', () => {
  test('when /health is asked, then 200', async () => {
    const res = await request(svc.app).get('/health');

    expect(res).toMatchObject({ status: 200, body: { success: true, status: 'ok' } });
  });

  test('when MongoDB and Redis answer, then /ready (internal port) is 200 with both up', async () => {
    const res = await request(svc.internal).get('/ready');

    expect(res).toMatchObject({
      status: 200,
      body: { success: true, status: 'ready', checks: { mongo: 'up', redis: 'up' } },
    });
  });

  test('when Redis is unreachable, then /ready stays 200 (the limiter fails open), reports it degraded, and logs it once', async () => {
    const degraded = await startTestApp(db, { REDIS_URL: DEAD_REDIS_URL });

    const first = await request(degraded.internal).get('/ready');
    await request(degraded.internal).get('/ready');

    expect(first).toMatchObject({
      status: 200,
      body: { success: true, status: 'degraded', checks: { mongo: 'up', redis: 'down' } },
    });
    expect(degraded.logs.filter((l) => l.message === 'dependency unavailable')).toEqual([
      expect.objectContaining({
        level: 'warn',
        dependency: 'redis',
        required: false,
        reason: expect.any(String),
      }),
    ]);
    expect(await metricValue(degraded.internal, 'dependency_up', { dependency: 'redis' })).toBe(0);
    await degraded.close();
  });

  test('when /metrics or /ready is asked on the public port, then 404', async () => {
    const [metrics, ready] = await Promise.all([
      request(svc.app).get('/metrics'),
      request(svc.app).get('/ready'),
    ]);

    expect(metrics.status).toBe(404);
    expect(ready.status).toBe(404);
  });

  test('when requests were served, then /metrics has the HTTP histogram and the auth counters', async () => {
    await registerUser(svc.app);

    const res = await request(svc.internal).get('/metrics');

    expect(res.status).toBe(200);
    expect(res.text).toContain('http_request_duration_seconds_bucket');
    for (const name of ['auth_logins_total', 'auth_refreshes_total', 'auth_logouts_total']) {
      expect(res.text).toContain(`# TYPE ${name} counter`);
    }
    expect(
      await metricValue(svc.internal, 'auth_registrations_total', { outcome: 'created' }),
    ).toBeGreaterThan(0);
  });

  test('when an unknown route is asked, then 404 JSON', async () => {
    const res = await request(svc.app).get('/api/auth/nope');

    expect(res).toMatchObject({ status: 404, body: { success: false, requestId: expect.any(String) } });
  });
});

describe('indexes', () => {
  test('when the models are initialised, then users have unique email/username and tokens a unique hash and a TTL', async () => {
    const userIndexes = await db.models.users.collection.indexes();
    const tokenIndexes = await db.models.refreshTokens.collection.indexes();

    expect(userIndexes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ key: { email: 1 }, unique: true }),
        expect.objectContaining({ key: { usernameKey: 1 }, unique: true }),
      ]),
    );
    expect(tokenIndexes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ key: { hash: 1 }, unique: true }),
        expect.objectContaining({ key: { expiresAt: 1 }, expireAfterSeconds: 0 }),
      ]),
    );
  });
});

describe('config', () => {
  test('when nothing is set but the required values, then OWASP argon2id and the documented limits apply', () => {
    const { value, error } = identityConfigSchema.validate({
      MONGO_URI: 'mongodb://127.0.0.1:27017/identity',
      JWT_SECRET: 'x'.repeat(32),
    });

    expect(error).toBeUndefined();
    expect(value).toMatchObject({
      PORT: 3001,
      ARGON2_MEMORY_KIB: 19_456,
      ARGON2_TIME_COST: 2,
      ARGON2_PARALLELISM: 1,
      REFRESH_TOKEN_TTL_SECONDS: 604_800,
      AUTH_RATE_LIMIT_WINDOW_MS: 900_000,
      AUTH_RATE_LIMIT_MAX: 10,
      AUTH_IP_RATE_LIMIT_WINDOW_MS: 60_000,
      AUTH_IP_RATE_LIMIT_MAX: 100,
      TRUST_PROXY: 'loopback',
      JWT_ACCESS_TTL_SECONDS: 900,
    });
  });

  test('when the JWT secret is short and MONGO_URI missing, then both problems are reported', () => {
    const { error } = identityConfigSchema.validate({ JWT_SECRET: 'short' }, { abortEarly: false });

    expect(error?.details.map((d) => d.path[0])).toEqual(expect.arrayContaining(['JWT_SECRET', 'MONGO_URI']));
  });
});
