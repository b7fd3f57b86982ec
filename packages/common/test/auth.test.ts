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
