import jwt from 'jsonwebtoken';
import request from 'supertest';
import { createTestUser, testJwtConfig } from '@social/testkit/helpers';
import { buildGateway, type TestGateway } from './support/gateway';
import { startUpstreamStub, type UpstreamStub } from './support/upstream-stub';

let stub: UpstreamStub;
let gw: TestGateway;

beforeAll(async () => {
  stub = await startUpstreamStub();
  // A tiny per-user limit: bad tokens must be answered 401 before any limiter keyed on a user.
  gw = buildGateway({ upstream: stub.url, env: { RATE_LIMIT_USER_MAX: '2' } });
});
afterAll(async () => {
  await gw.close();
  await stub.close();
});

const base64url = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const claims = { sub: 'a'.repeat(24), username: 'mallory', jti: 'j1' };
const sign = (payload: object, options: jwt.SignOptions = {}, secret = testJwtConfig.JWT_SECRET): string =>
  jwt.sign(payload, secret, {
    algorithm: 'HS256',
    issuer: testJwtConfig.JWT_ISSUER,
    audience: testJwtConfig.JWT_AUDIENCE,
    expiresIn: 60,
    ...options,
  });

const tampered = (): string => {
  const [header, , signature] = createTestUser().token.split('.');
  const payload = base64url({ ...claims, iss: testJwtConfig.JWT_ISSUER, aud: testJwtConfig.JWT_AUDIENCE });
  return `${header}.${payload}.${signature}`;
};
const algNone = (): string =>
  `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({
    ...claims,
    iss: testJwtConfig.JWT_ISSUER,
    aud: testJwtConfig.JWT_AUDIENCE,
    exp: Math.floor(Date.now() / 1000) + 60,
  })}.`;

describe.each(['/v1/users/me', '/v1/posts/all-posts', '/v1/media', '/v1/search/posts?query=x'])(
  'protected route %s',
  (url) => {
    test('when no Authorization header is sent, then 401 with a bare Bearer challenge', async () => {
      const res = await request(gw.app).get(url).set('x-request-id', 'no-token');
      expect(res).toMatchObject({
        status: 401,
        headers: { 'www-authenticate': 'Bearer' },
        body: { success: false, message: 'Authentication required', requestId: 'no-token' },
      });
    });
  },
);

describe('invalid access tokens', () => {
  test.each([
    ['malformed', 'Bearer not-a-jwt'],
    ['another scheme', 'Basic dXNlcjpwYXNz'],
    ['expired', `Bearer ${sign(claims, { expiresIn: -10 })}`],
    ['tampered', `Bearer ${tampered()}`],
    ['alg:none', `Bearer ${algNone()}`],
    ['signed with another secret', `Bearer ${sign(claims, {}, 'x'.repeat(40))}`],
    ['wrong issuer', `Bearer ${sign(claims, { issuer: 'someone-else' })}`],
    ['wrong audience', `Bearer ${sign(claims, { audience: 'other-api' })}`],
    ['HS512 instead of the pinned HS256', `Bearer ${sign(claims, { algorithm: 'HS512' })}`],
  ])(
    'when the token is %s, then 401 invalid_token and the upstream is never called',
    async (_case, header) => {
      // Arrange
      const before = stub.received.length;
      // Act
      const res = await request(gw.app).get('/v1/posts/all-posts').set('Authorization', header);
      // Assert
      expect(res).toMatchObject({
        status: 401,
        headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
        body: { success: false, message: expect.any(String), requestId: expect.any(String) },
      });
      expect(stub.received.length).toBe(before);
    },
  );

  test('when many bad tokens arrive, then every answer is 401, never 429 or 500', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      statuses.push(
        (await request(gw.app).get('/v1/posts/x').set('Authorization', `Bearer ${tampered()}`)).status,
      );
    }
    expect(new Set(statuses)).toEqual(new Set([401]));
  });

  test('when the token is valid, then the request is proxied with the verified user id', async () => {
    const bob = createTestUser();
    const res = await request(gw.app).get('/v1/posts/all-posts').set(bob.auth);
    expect(res.status).toBe(200);
    expect(res.body.echo.headers).toMatchObject({
      'x-user-id': bob.id,
      authorization: bob.auth.Authorization,
    });
  });
});

describe('public routes', () => {
  test.each(['/v1/auth/refresh-token', '/v1/media/files/some-key.png'])(
    'when %s is called without a token, then it is proxied',
    async (url) => {
      const res = await request(gw.app).get(url);
      expect(res.status).toBe(200);
      expect(res.body.echo.headers).not.toHaveProperty('authorization');
    },
  );
});
