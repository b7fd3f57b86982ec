import request from 'supertest';
import {
  allLogText,
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

const logout = (body: object) => request(svc.app).post('/api/auth/logout').send(body);
const refresh = (refreshToken: string) =>
  request(svc.app).post('/api/auth/refresh-token').send({ refreshToken });

describe('POST /api/auth/logout', () => {
  test('when logging out, then 200 and the refresh token no longer works', async () => {
    // Arrange
    const alice = await registerUser(svc.app);
    // Act
    const res = await logout({ refreshToken: alice.refreshToken });
    // Assert
    expect(res).toMatchObject({ status: 200, body: { success: true } });
    const after = await refresh(alice.refreshToken);
    expect(after).toMatchObject({ status: 401, body: { success: false } });
  });

  test('when logging out with a rotated-to token, then every token of that family is revoked', async () => {
    const alice = await registerUser(svc.app);
    const rotated = await refresh(alice.refreshToken).expect(200);

    await logout({ refreshToken: rotated.body.refreshToken }).expect(200);

    await refresh(rotated.body.refreshToken).expect(401);
    const first = await db.models.refreshTokens.findOne({ hash: sha256Hex(alice.refreshToken) }).lean();
    const family = await db.models.refreshTokens.find({ familyId: first!.familyId }).lean();
    expect(family).toHaveLength(2);
    expect(family.every((t) => t.revokedAt instanceof Date)).toBe(true);
  });

  test('when logging out one session, then the user’s other sessions keep working', async () => {
    const alice = await registerUser(svc.app);
    const other = await request(svc.app)
      .post('/api/auth/login')
      .send({ email: alice.email, password: alice.password })
      .expect(200);

    await logout({ refreshToken: alice.refreshToken }).expect(200);

    await refresh(other.body.refreshToken).expect(200);
  });

  test('when logging out twice, then both answer 200 (idempotent)', async () => {
    const alice = await registerUser(svc.app);

    await logout({ refreshToken: alice.refreshToken }).expect(200);
    const again = await logout({ refreshToken: alice.refreshToken });

    expect(again).toMatchObject({ status: 200, body: { success: true } });
  });

  test('when the token is unknown, then 200 and nothing changes', async () => {
    const before = await db.models.refreshTokens.countDocuments({ revokedAt: null });

    const res = await logout({ refreshToken: 'never-issued-token' });

    expect(res).toMatchObject({ status: 200, body: { success: true } });
    expect(await db.models.refreshTokens.countDocuments({ revokedAt: null })).toBe(before);
  });

  test.each([
    ['missing', {}],
    ['not a string', { refreshToken: 42 }],
    ['an operator object', { refreshToken: { $gt: '' } }],
  ])('when the refresh token is %s, then 400', async (_case, body) => {
    const res = await logout(body);

    expect(res).toMatchObject({
      status: 400,
      body: {
        success: false,
        message: 'Validation failed',
        requestId: expect.any(String),
        details: [expect.objectContaining({ path: 'body.refreshToken' })],
      },
    });
  });

  test('when logging out, then the token is not logged but the logout is', async () => {
    const alice = await registerUser(svc.app);

    await logout({ refreshToken: alice.refreshToken }).expect(200);

    expect(allLogText(svc.logs)).not.toContain(alice.refreshToken);
    expect(svc.logs).toContainEqual(
      expect.objectContaining({ message: 'user logged out', userId: alice.id }),
    );
  });
});
