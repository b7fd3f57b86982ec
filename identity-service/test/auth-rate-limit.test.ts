import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { Redis } from 'ioredis';
import request from 'supertest';
import { buildRegisterInput } from '@social/testkit/helpers';
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
import { identityConfigSchema, type IdentityConfig } from '../src/config';

const EMAIL_MAX = 3;
const IP_MAX = 5;
let db: TestDatabase;
let svc: TestIdentityApp;
const admin = new Redis(REDIS_URL, { lazyConnect: true });
const extraApps: TestIdentityApp[] = [];

beforeAll(async () => {
  await admin.connect();
  db = await startTestDatabase();
  svc = await startTestApp(db, {
    AUTH_RATE_LIMIT_MAX: EMAIL_MAX,
    AUTH_RATE_LIMIT_WINDOW_MS: 60_000,
    AUTH_IP_RATE_LIMIT_MAX: IP_MAX,
    AUTH_IP_RATE_LIMIT_WINDOW_MS: 60_000,
  });
});

afterEach(async () => {
  await Promise.all(extraApps.splice(0).map((a) => a.close()));
});

afterAll(async () => {
  await admin.quit();
  await svc.close();
  await db.close();
});

const track = (app: TestIdentityApp): TestIdentityApp => {
  extraApps.push(app);
  return app;
};

// Each test is its own client address, as the gateway (a trusted loopback peer) forwards it.
let ipCounter = 0;
const newIp = (): string => `203.0.113.${++ipCounter}`;
const unknownEmail = (): string => `nobody-${randomUUID()}@example.com`;

const login = (app: TestIdentityApp['app'], body: object, ip: string) =>
  request(app).post('/api/auth/login').set('X-Forwarded-For', ip).send(body);

const register = (app: TestIdentityApp['app'], body: object, ip: string) =>
  request(app).post('/api/auth/register').set('X-Forwarded-For', ip).send(body);

describe('login/register limit per client IP + email (AUTH_RATE_LIMIT_MAX)', () => {
  test('when the attempts for one email from one IP exceed the limit, then 429 JSON with rate-limit headers', async () => {
    // Arrange
    const ip = newIp();
    const alice = await registerUser(svc.app);
    for (let i = 0; i < EMAIL_MAX; i++)
      await login(svc.app, { email: alice.email, password: 'wrong-guess' }, ip).expect(401);
    // Act: even the right password is refused now
    const res = await login(svc.app, { email: alice.email, password: alice.password }, ip);
    // Assert
    expect(res.status).toBe(429);
    expect(res.body).toEqual({
      success: false,
      message: 'Too many attempts for this account, please try again later',
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

  test('when under both limits, then the answer carries the per-email budget, not the per-IP one', async () => {
    const alice = await registerUser(svc.app);

    const res = await login(svc.app, { email: alice.email, password: alice.password }, newIp());

    expect(res.status).toBe(200);
    expect(res.headers.ratelimit).toMatch(/^limit=3, remaining=2, reset=\d+$/);
    expect(res.headers['ratelimit-policy']).toBe('3;w=60');
  });

  test('when register is retried for one email, then it is limited too, and shares the bucket with login', async () => {
    // Arrange
    const ip = newIp();
    const input = buildRegisterInput();
    await register(svc.app, input, ip).expect(201);
    await register(svc.app, input, ip).expect(409);
    await login(svc.app, { email: input.email, password: 'wrong-guess' }, ip).expect(401);
    // Act
    const res = await register(svc.app, { ...input, username: `${input.username}x` }, ip);
    // Assert
    expect(res).toMatchObject({ status: 429, body: { success: false, requestId: expect.any(String) } });
  });

  test('when one email is locked out, then other emails from that IP and that email from another IP still log in', async () => {
    const alice = await registerUser(svc.app);
    const bob = await registerUser(svc.app);
    const ip = newIp();
    for (let i = 0; i <= EMAIL_MAX; i++)
      await login(svc.app, { email: alice.email, password: 'wrong-guess' }, ip);
    await login(svc.app, { email: alice.email, password: alice.password }, ip).expect(429);

    await login(svc.app, { email: bob.email, password: bob.password }, ip).expect(200);
    await login(svc.app, { email: alice.email, password: alice.password }, newIp()).expect(200);
  });

  test('when the email differs only in case or spacing, then it counts against the same bucket', async () => {
    const alice = await registerUser(svc.app);
    const ip = newIp();
    for (let i = 0; i < EMAIL_MAX; i++)
      await login(svc.app, { email: alice.email.toUpperCase(), password: 'nope-nope' }, ip);

    await login(svc.app, { email: ` ${alice.email} `, password: alice.password }, ip).expect(429);
  });

  test('when a body is malformed or fails validation, then it counts against neither limit', async () => {
    const alice = await registerUser(svc.app);
    const ip = newIp();
    for (let i = 0; i < IP_MAX + 1; i++) {
      await login(svc.app, { email: alice.email, password: '' }, ip).expect(400);
      await request(svc.app)
        .post('/api/auth/login')
        .set('X-Forwarded-For', ip)
        .set('Content-Type', 'application/json')
        .send('{"email":')
        .expect(400);
    }

    await login(svc.app, { email: alice.email, password: alice.password }, ip).expect(200);
  });

  test('when attempts were made, then the limiter keys live under the rl: prefix and hold no email address', async () => {
    const alice = await registerUser(svc.app);
    await login(svc.app, { email: alice.email, password: alice.password }, newIp()).expect(200);

    const keys = await svc.redis.keys(`${svc.config.REDIS_KEY_PREFIX}rl:*`);

    expect(keys.some((k) => k.includes('rl:auth:'))).toBe(true);
    expect(keys.some((k) => k.includes('rl:auth-ip:'))).toBe(true);
    expect(keys.join(' ')).not.toContain(alice.email);
    expect(keys.join(' ').toLowerCase()).not.toContain(alice.email.split('@')[0]!.toLowerCase());
  });

  test('when a request is limited, then it is logged without the password and counted', async () => {
    const alice = await registerUser(svc.app);
    const ip = newIp();
    const before = await metricValue(svc.internal, 'auth_logins_total', { outcome: 'rate_limited' });
    for (let i = 0; i < EMAIL_MAX; i++)
      await login(svc.app, { email: alice.email, password: 'secret-guess-1' }, ip);

    await login(svc.app, { email: alice.email, password: alice.password }, ip).expect(429);

    expect(svc.logs).toContainEqual(
      expect.objectContaining({ level: 'warn', message: 'auth rate limit exceeded', limiter: 'email' }),
    );
    expect(allLogText(svc.logs)).not.toContain(alice.password);
    expect(allLogText(svc.logs)).not.toContain('secret-guess-1');
    expect(allLogText(svc.logs)).not.toContain(alice.email);
    expect(await metricValue(svc.internal, 'auth_logins_total', { outcome: 'rate_limited' })).toBe(
      before + 1,
    );
  });
});

describe('argon2 budget per client IP (AUTH_IP_RATE_LIMIT_MAX)', () => {
  test('when one IP rotates through emails past its budget, then 429 with that budget in the headers', async () => {
    // Arrange
    const ip = newIp();
    for (let i = 0; i < IP_MAX; i++)
      await login(svc.app, { email: unknownEmail(), password: 'guess' }, ip).expect(401);
    // Act
    const res = await login(svc.app, { email: unknownEmail(), password: 'guess' }, ip);
    const registerRes = await register(svc.app, buildRegisterInput(), ip);
    // Assert
    expect(res.status).toBe(429);
    expect(res.body).toEqual({
      success: false,
      message: 'Too many sign-in attempts from this address, please try again later',
      requestId: expect.any(String),
    });
    expect(res.headers).toMatchObject({
      ratelimit: expect.stringMatching(/^limit=5, remaining=0, reset=\d+$/),
      'ratelimit-policy': '5;w=60',
      'retry-after': expect.stringMatching(/^[1-9]\d*$/),
    });
    expect(registerRes.status).toBe(429);
  });

  test('when another IP is over its budget, then this one is still served', async () => {
    const busy = newIp();
    for (let i = 0; i <= IP_MAX; i++)
      await login(svc.app, { email: unknownEmail(), password: 'guess' }, busy);
    const alice = await registerUser(svc.app);

    const res = await login(svc.app, { email: alice.email, password: alice.password }, newIp());

    expect(res.status).toBe(200);
  });

  test('when one account behind an office IP is hammered, then it gets the per-email 429 and colleagues still sign in', async () => {
    // Arrange
    const office = newIp();
    const [victim, colleague] = [await registerUser(svc.app), await registerUser(svc.app)];
    const logsBefore = svc.logs.length;
    const statuses: number[] = [];
    // Act: twice the whole office budget against one account
    for (let i = 0; i < IP_MAX * 2; i++) {
      statuses.push((await login(svc.app, { email: victim.email, password: 'guess' }, office)).status);
    }
    const colleagueRes = await login(
      svc.app,
      { email: colleague.email, password: colleague.password },
      office,
    );
    // Assert: only the per-email limit answered, and only its allowance was charged to the office
    expect(statuses).toEqual([
      ...Array<number>(EMAIL_MAX).fill(401),
      ...Array<number>(IP_MAX * 2 - EMAIL_MAX).fill(429),
    ]);
    expect(colleagueRes.status).toBe(200);
    const limitedBy = svc.logs.slice(logsBefore).flatMap((l) => (l.limiter ? [l.limiter] : []));
    expect(new Set(limitedBy)).toEqual(new Set(['email']));
  });

  test('when the defaults apply, then a whole minute of office sign-ins passes and a flood beyond it is refused', async () => {
    // Arrange: the production defaults of both limits
    const { value: defaults } = identityConfigSchema.validate({
      MONGO_URI: 'mongodb://127.0.0.1/identity',
      JWT_SECRET: 'x'.repeat(32),
    }) as { value: IdentityConfig };
    const app = track(
      await startTestApp(db, {
        AUTH_RATE_LIMIT_MAX: defaults.AUTH_RATE_LIMIT_MAX,
        AUTH_RATE_LIMIT_WINDOW_MS: defaults.AUTH_RATE_LIMIT_WINDOW_MS,
        AUTH_IP_RATE_LIMIT_MAX: defaults.AUTH_IP_RATE_LIMIT_MAX,
        AUTH_IP_RATE_LIMIT_WINDOW_MS: defaults.AUTH_IP_RATE_LIMIT_WINDOW_MS,
      }),
    );
    const office = newIp();
    // Act: every person behind the office address signs in once
    const statuses: number[] = [];
    for (let i = 0; i < defaults.AUTH_IP_RATE_LIMIT_MAX; i++) {
      statuses.push((await login(app.app, { email: unknownEmail(), password: 'pw' }, office)).status);
    }
    const flood = await login(app.app, { email: unknownEmail(), password: 'pw' }, office);
    // Assert
    expect(defaults.AUTH_IP_RATE_LIMIT_MAX).toBeGreaterThanOrEqual(60);
    expect(statuses.every((s) => s === 401)).toBe(true);
    expect(flood.status).toBe(429);
  });
});

describe('client address (TRUST_PROXY)', () => {
  test('when a peer outside TRUST_PROXY sends a spoofed X-Forwarded-For, then it is keyed by its socket address', async () => {
    // Arrange: loopback (this test's peer) is not trusted, as a client reaching the service directly is not.
    const direct = track(await startTestApp(db, { TRUST_PROXY: '10.0.0.0/8', AUTH_IP_RATE_LIMIT_MAX: 2 }));
    const statuses: number[] = [];
    // Act: a fresh spoofed address on every attempt
    for (let i = 0; i < 3; i++) {
      statuses.push((await login(direct.app, { email: unknownEmail(), password: 'pw' }, newIp())).status);
    }
    // Assert
    expect(statuses).toEqual([401, 401, 429]);
    const keys = await direct.redis.keys(`${direct.config.REDIS_KEY_PREFIX}rl:auth-ip:*`);
    expect(keys).toEqual([`${direct.config.REDIS_KEY_PREFIX}rl:auth-ip:127.0.0.1`]);
  });

  test('when a trusted proxy forwards a chain, then the address it saw, not the client-written first entry, is the key', async () => {
    const app = track(await startTestApp(db, { AUTH_IP_RATE_LIMIT_MAX: 1 }));
    const client = newIp();
    await login(app.app, { email: unknownEmail(), password: 'pw' }, `198.51.100.1, ${client}`).expect(401);

    const res = await login(app.app, { email: unknownEmail(), password: 'pw' }, `198.51.100.2, ${client}`);

    expect(res.status).toBe(429);
  });

  test('when the gateway (a loopback peer by default) forwards different clients, then each has its own budget', async () => {
    const app = track(await startTestApp(db, { AUTH_IP_RATE_LIMIT_MAX: 1 }));

    const first = await login(app.app, { email: unknownEmail(), password: 'pw' }, newIp());
    const second = await login(app.app, { email: unknownEmail(), password: 'pw' }, newIp());

    expect([first.status, second.status]).toEqual([401, 401]);
  });
});

describe('Redis for the limiters', () => {
  test('when the app was created before Redis connected (every boot), then limiting works once it is ready', async () => {
    // startTestApp builds the app while the client is still connecting, as server.ts does; prove that here.
    const fresh = track(
      await startTestApp(db, { AUTH_RATE_LIMIT_MAX: 1, AUTH_RATE_LIMIT_WINDOW_MS: 60_000 }),
    );
    const alice = await registerUser(fresh.app);
    const ip = newIp();

    await login(fresh.app, { email: alice.email, password: alice.password }, ip).expect(200);
    const res = await login(fresh.app, { email: alice.email, password: alice.password }, ip);

    expect(res.status).toBe(429);
    // express-rate-limit's own configuration checks (e.g. ERR_ERL_KEY_GEN_IPV6) stay silent.
    expect(allLogText(fresh.logs)).not.toContain('ERR_ERL_');
  });

  test('when Redis is unreachable, then login fails open, and each limiter’s outage is logged and counted', async () => {
    const degraded = track(
      await startTestApp(db, {
        REDIS_URL: DEAD_REDIS_URL,
        AUTH_RATE_LIMIT_MAX: 1,
        AUTH_IP_RATE_LIMIT_MAX: 1,
      }),
    );
    const alice = await registerUser(degraded.app);
    const ip = newIp();

    const results = [];
    for (let i = 0; i < 3; i++) {
      results.push(await login(degraded.app, { email: alice.email, password: alice.password }, ip));
    }

    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(results[0]!.headers.ratelimit).toBeUndefined();
    // register + 3 logins, each through both limiters
    expect(
      await metricValue(degraded.internal, 'auth_rate_limit_store_errors_total', { limiter: 'email' }),
    ).toBe(4);
    expect(
      await metricValue(degraded.internal, 'auth_rate_limit_store_errors_total', { limiter: 'ip' }),
    ).toBe(4);
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
      await startTestApp(db, { AUTH_RATE_LIMIT_MAX: 1, AUTH_RATE_LIMIT_WINDOW_MS: 60_000 }),
    );
    const alice = await registerUser(fresh.app);
    const ip = newIp();
    const ownId = String(await fresh.redis.client('ID'));
    const reconnected = once(fresh.redis, 'ready');
    // Kill the app's connection server-side, as a Redis restart would; ioredis reconnects and emits 'ready'.
    await admin.client('KILL', 'ID', ownId);
    await reconnected;

    await login(fresh.app, { email: alice.email, password: alice.password }, ip).expect(200);
    await login(fresh.app, { email: alice.email, password: alice.password }, ip).expect(429);
  });
});
