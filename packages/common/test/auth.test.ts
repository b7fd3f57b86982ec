import jwt from 'jsonwebtoken';
import request from 'supertest';
import { requireAuth, signAccessToken, type TokenConfig } from '../src/auth';
import { createServiceApp } from '../src/http';
import { createLogger } from '../src/logger';
import { createMetrics } from '../src/metrics';

const config: TokenConfig = {
  JWT_SECRET: 's'.repeat(40),
  JWT_ISSUER: 'social-identity',
  JWT_AUDIENCE: 'social-api',
  JWT_ACCESS_TTL_SECONDS: 900,
};
const user = { id: '64b7f0c2a1b2c3d4e5f60718', username: 'alice' };

const app = createServiceApp(
  {
    log: createLogger({ service: 'test', silent: true }),
    metrics: createMetrics('t', { defaultMetrics: false }),
  },
  (a) => {
    a.get('/me', requireAuth(config), (req, res) => {
      res.json({ success: true, user: req.user });
    });
  },
);

const call = (authorization?: string) => {
  const r = request(app).get('/me');
  return authorization === undefined ? r : r.set('authorization', authorization);
};
const claims = { username: user.username };
const signOptions = {
  subject: user.id,
  issuer: config.JWT_ISSUER,
  audience: config.JWT_AUDIENCE,
  jwtid: 'j1',
};

describe('requireAuth', () => {
  test('when the token is valid, then the user comes from its claims', async () => {
    const { accessToken } = signAccessToken(config, user);
    const res = await call(`Bearer ${accessToken}`);
    expect(res).toMatchObject({
      status: 200,
      body: { user: { id: user.id, username: 'alice', tokenId: expect.any(String) } },
    });
  });

  test('when no token is sent, then 401 with a bare Bearer challenge', async () => {
    const res = await call();
    expect(res).toMatchObject({
      status: 401,
      headers: { 'www-authenticate': 'Bearer' },
      body: { success: false },
    });
  });

  test.each([
    ['expired', jwt.sign(claims, config.JWT_SECRET, { ...signOptions, expiresIn: -10 })],
    ['signed with another secret', jwt.sign(claims, 'x'.repeat(40), signOptions)],
    ['for another audience', jwt.sign(claims, config.JWT_SECRET, { ...signOptions, audience: 'other' })],
    ['from another issuer', jwt.sign(claims, config.JWT_SECRET, { ...signOptions, issuer: 'evil' })],
    ['unsigned (alg none)', jwt.sign(claims, '', { ...signOptions, algorithm: 'none' })],
    [
      'HS512 instead of the pinned HS256',
      jwt.sign(claims, config.JWT_SECRET, { ...signOptions, algorithm: 'HS512' }),
    ],
    [
      'without a subject',
      jwt.sign(claims, config.JWT_SECRET, { issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE }),
    ],
    ['garbage', 'not-a-token'],
  ])('when the token is %s, then 401 invalid_token', async (_case, token) => {
    const res = await call(`Bearer ${token}`);
    expect(res).toMatchObject({
      status: 401,
      headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
      body: { success: false, requestId: expect.any(String) },
    });
  });

  test('when the scheme is not Bearer, then 401 invalid_token', async () => {
    const res = await call('Basic YWxpY2U6cGFzcw==');
    expect(res.status).toBe(401);
  });
});

describe('verified tokens are remembered only as long as they are valid', () => {
  afterEach(() => jest.restoreAllMocks());

  test('when an accepted token reaches its expiry, then the next request gets 401 expired', async () => {
    // Arrange
    const { accessToken } = signAccessToken({ ...config, JWT_ACCESS_TTL_SECONDS: 60 }, user);
    await call(`Bearer ${accessToken}`).expect(200);
    const now = Date.now();
    jest.spyOn(Date, 'now').mockReturnValue(now + 61_000);
    // Act
    const res = await call(`Bearer ${accessToken}`);
    // Assert
    expect(res).toMatchObject({ status: 401, body: { message: 'Access token expired' } });
  });

  test('when an accepted token comes back with another signature, then 401', async () => {
    // Arrange
    const { accessToken } = signAccessToken(config, user);
    await call(`Bearer ${accessToken}`).expect(200);
    const [header, payload] = accessToken.split('.');
    const forged = `${header}.${payload}.${'A'.repeat(43)}`;
    // Act
    const res = await call(`Bearer ${forged}`);
    // Assert
    expect(res).toMatchObject({ status: 401, body: { message: 'Invalid access token' } });
  });

  test('when the same token is checked under another audience, then 401', async () => {
    // Arrange
    const { accessToken } = signAccessToken(config, user);
    await call(`Bearer ${accessToken}`).expect(200);
    const other = createServiceApp(
      {
        log: createLogger({ service: 'test', silent: true }),
        metrics: createMetrics('t2', { defaultMetrics: false }),
      },
      (a) =>
        a.get('/me', requireAuth({ ...config, JWT_AUDIENCE: 'another-api' }), (_req, res) => res.json({})),
    );
    // Act
    const res = await request(other).get('/me').set('authorization', `Bearer ${accessToken}`);
    // Assert
    expect(res.status).toBe(401);
  });
});
