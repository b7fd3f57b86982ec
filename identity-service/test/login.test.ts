import argon2 from 'argon2';
import request from 'supertest';
import { verifyAccessToken } from '@social/common/auth';
import { testJwtConfig } from '@social/testkit/helpers';
import {
  allLogText,
  metricValue,
  registerUser,
  sha256Hex,
  startTestApp,
  startTestDatabase,
  type TestDatabase,
  type TestIdentityApp,
} from './support/identity-test-app';

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

afterEach(() => {
  jest.restoreAllMocks();
});

const login = (body: unknown) =>
  request(svc.app)
    .post('/api/auth/login')
    .send(body as object);

describe('POST /api/auth/login', () => {
  test('when the credentials are right, then 200 with the user id and a new token pair', async () => {
    // Arrange
    const alice = await registerUser(svc.app);
    // Act
    const res = await login({ email: alice.email, password: alice.password });
    // Assert
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      success: true,
      userId: alice.id,
      accessToken: expect.any(String),
      refreshToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      expiresIn: 900,
    });
    expect(verifyAccessToken(testJwtConfig, res.body.accessToken)).toMatchObject({
      id: alice.id,
      username: alice.username,
    });
  });

  test('when logged in, then a new refresh-token family is stored, hashed', async () => {
    const alice = await registerUser(svc.app);

    const res = await login({ email: alice.email, password: alice.password }).expect(200);

    const stored = await db.models.refreshTokens.findOne({ hash: sha256Hex(res.body.refreshToken) }).lean();
    const registration = await db.models.refreshTokens
      .findOne({ hash: sha256Hex(alice.refreshToken) })
      .lean();
    expect(stored).toMatchObject({ revokedAt: null, replacedBy: null });
    expect(stored!.userId.toHexString()).toBe(alice.id);
    expect(stored!.familyId).not.toBe(registration!.familyId);
  });

  test('when the email differs only in case and surrounding spaces, then 200', async () => {
    const alice = await registerUser(svc.app);

    const res = await login({ email: `  ${alice.email.toUpperCase()}  `, password: alice.password });

    expect(res).toMatchObject({ status: 200, body: { userId: alice.id } });
  });

  test('when the password is wrong or the email unknown, then the same 401 for both', async () => {
    const alice = await registerUser(svc.app);

    const wrongPassword = await login({ email: alice.email, password: `${alice.password}x` });
    const unknownEmail = await login({ email: `nobody-${alice.email}`, password: alice.password });

    const expected = { success: false, message: 'Invalid email or password', requestId: expect.any(String) };
    expect(wrongPassword).toMatchObject({ status: 401, body: expected });
    expect(unknownEmail).toMatchObject({ status: 401, body: expected });
    expect(Object.keys(unknownEmail.body).sort()).toEqual(Object.keys(wrongPassword.body).sort());
    expect(unknownEmail.headers['www-authenticate']).toBe(wrongPassword.headers['www-authenticate']);
  });

  test('when the email is unknown, then an argon2 verify still runs (timing does not reveal accounts)', async () => {
    const verify = jest.spyOn(argon2, 'verify');

    await login({ email: 'ghost-never-registered@example.com', password: 'whatever-password' }).expect(401);

    expect(verify).toHaveBeenCalledTimes(1);
    expect(verify.mock.calls[0]![0]).toMatch(/^\$argon2id\$v=19\$m=1024,p=1,t=1\$/);
    await expect(verify.mock.results[0]!.value).resolves.toBe(false);
  });

  test.each([
    ['email missing', { email: undefined }, 'body.email'],
    ['password missing', { password: undefined }, 'body.password'],
    ['email not a string', { email: 42 }, 'body.email'],
    ['password not a string', { password: true }, 'body.password'],
    ['password empty', { password: '' }, 'body.password'],
    ['password too long', { password: 'x'.repeat(129) }, 'body.password'],
    ['email invalid', { email: 'nope' }, 'body.email'],
    ['an unknown field', { remember: true }, 'body.remember'],
    ['email an operator object {$gt: ""}', { email: { $gt: '' } }, 'body.email'],
    ['email an operator object {$ne: null}', { email: { $ne: null } }, 'body.email'],
  ])('when %s, then 400 and no login happens', async (_case, override, path) => {
    const alice = await registerUser(svc.app);
    const before = await db.models.refreshTokens.countDocuments({ userId: alice.id });

    const res = await login({ email: alice.email, password: alice.password, ...override });

    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      success: false,
      message: 'Validation failed',
      requestId: expect.any(String),
      details: expect.arrayContaining([expect.objectContaining({ path })]),
    });
    expect(res.body).not.toHaveProperty('accessToken');
    expect(await db.models.refreshTokens.countDocuments({ userId: alice.id })).toBe(before);
  });

  test('when the hash was made with weaker parameters than configured, then login rehashes it', async () => {
    const alice = await registerUser(svc.app);
    const stronger = await startTestApp(db, { ARGON2_TIME_COST: 2 });

    await request(stronger.app)
      .post('/api/auth/login')
      .send({ email: alice.email, password: alice.password })
      .expect(200);

    const stored = await db.models.users.findById(alice.id).lean();
    expect(stored!.passwordHash).toMatch(/^\$argon2id\$v=19\$m=1024,p=1,t=2\$/);
    await login({ email: alice.email, password: alice.password }).expect(200);
    await stronger.close();
  });

  test('when logins succeed and fail, then no password or token is logged and /metrics counts outcomes', async () => {
    const alice = await registerUser(svc.app);
    const success = await metricValue(svc.internal, 'auth_logins_total', { outcome: 'success' });
    const invalid = await metricValue(svc.internal, 'auth_logins_total', { outcome: 'invalid_credentials' });

    const ok = await login({ email: alice.email, password: alice.password }).expect(200);
    await login({ email: alice.email, password: 'wrong-password-1' }).expect(401);

    const logs = allLogText(svc.logs);
    for (const secret of [alice.password, 'wrong-password-1', ok.body.accessToken, ok.body.refreshToken]) {
      expect(logs).not.toContain(secret);
    }
    expect(svc.logs).toContainEqual(expect.objectContaining({ message: 'user logged in', userId: alice.id }));
    expect(await metricValue(svc.internal, 'auth_logins_total', { outcome: 'success' })).toBe(success + 1);
    expect(await metricValue(svc.internal, 'auth_logins_total', { outcome: 'invalid_credentials' })).toBe(
      invalid + 1,
    );
  });
});
