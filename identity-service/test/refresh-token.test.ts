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

const refresh = (refreshToken: unknown) =>
  request(svc.app)
    .post('/api/auth/refresh-token')
    .send({ refreshToken } as object);

const familyOf = async (token: string) => {
  const doc = await db.models.refreshTokens.findOne({ hash: sha256Hex(token) }).lean();
  return db.models.refreshTokens.find({ familyId: doc!.familyId }).lean();
};

const invalidToken = {
  success: false,
  message: 'Invalid or expired refresh token',
  requestId: expect.any(String),
};

describe('POST /api/auth/refresh-token', () => {
  test('when the token is valid, then 200 with a new pair whose access token verifies', async () => {
    // Arrange
    const alice = await registerUser(svc.app);
    // Act
    const res = await refresh(alice.refreshToken);
    // Assert
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      success: true,
      accessToken: expect.any(String),
      refreshToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      expiresIn: 900,
    });
    expect(res.body.refreshToken).not.toBe(alice.refreshToken);
    expect(verifyAccessToken(testJwtConfig, res.body.accessToken)).toMatchObject({
      id: alice.id,
      username: alice.username,
    });
  });

  test('when rotated, then the old token is revoked and points to its successor in the same family', async () => {
    const alice = await registerUser(svc.app);

    const res = await refresh(alice.refreshToken).expect(200);

    const old = await db.models.refreshTokens.findOne({ hash: sha256Hex(alice.refreshToken) }).lean();
    const next = await db.models.refreshTokens.findOne({ hash: sha256Hex(res.body.refreshToken) }).lean();
    expect(old).toMatchObject({ revokedAt: expect.any(Date), replacedBy: sha256Hex(res.body.refreshToken) });
    expect(next).toMatchObject({ familyId: old!.familyId, revokedAt: null, replacedBy: null });
    expect(next!.userId.toHexString()).toBe(alice.id);
    expect(JSON.stringify(await familyOf(alice.refreshToken))).not.toContain(res.body.refreshToken);
  });

  test('when the successor is rotated again, then the chain keeps working', async () => {
    const alice = await registerUser(svc.app);

    const second = await refresh(alice.refreshToken).expect(200);
    const third = await refresh(second.body.refreshToken).expect(200);

    await refresh(third.body.refreshToken).expect(200);
  });

  test('when an already rotated token is presented again, then 401 and the whole family is revoked', async () => {
    const alice = await registerUser(svc.app);
    const rotated = await refresh(alice.refreshToken).expect(200);

    const reuse = await refresh(alice.refreshToken);

    expect(reuse).toMatchObject({ status: 401, body: invalidToken });
    const successorAfterReuse = await refresh(rotated.body.refreshToken);
    expect(successorAfterReuse).toMatchObject({ status: 401, body: invalidToken });
    const family = await familyOf(alice.refreshToken);
    expect(family).toHaveLength(2);
    expect(family.every((t) => t.revokedAt instanceof Date)).toBe(true);
  });

  test('when reuse is detected, then other sessions of the same user keep working', async () => {
    const alice = await registerUser(svc.app);
    const otherSession = await request(svc.app)
      .post('/api/auth/login')
      .send({ email: alice.email, password: alice.password })
      .expect(200);
    await refresh(alice.refreshToken).expect(200);

    await refresh(alice.refreshToken).expect(401);

    await refresh(otherSession.body.refreshToken).expect(200);
  });

  test('when reuse is detected, then it is logged as a warning and counted, without the token', async () => {
    const alice = await registerUser(svc.app);
    const before = await metricValue(svc.internal, 'auth_refreshes_total', { outcome: 'reuse_detected' });
    const rotated = await refresh(alice.refreshToken).expect(200);

    await refresh(alice.refreshToken).expect(401);

    expect(svc.logs).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: 'refresh token reuse detected, token family revoked',
        userId: alice.id,
      }),
    );
    const logs = allLogText(svc.logs);
    expect(logs).not.toContain(alice.refreshToken);
    expect(logs).not.toContain(rotated.body.refreshToken);
    expect(logs).not.toContain(rotated.body.accessToken);
    expect(await metricValue(svc.internal, 'auth_refreshes_total', { outcome: 'reuse_detected' })).toBe(
      before + 1,
    );
  });

  test('when two refreshes with the same token race, then exactly one gets 200 and the family ends revoked', async () => {
    const alice = await registerUser(svc.app);

    const results = await Promise.all([refresh(alice.refreshToken), refresh(alice.refreshToken)]);

    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
    // The loser is indistinguishable from a thief replaying the token, so the winner's pair dies too.
    const winner = results.find((r) => r.status === 200)!;
    await refresh(winner.body.refreshToken).expect(401);
    const family = await familyOf(alice.refreshToken);
    expect(family).toHaveLength(2); // the original and one successor: the loser's was removed
    expect(family.every((t) => t.revokedAt instanceof Date)).toBe(true);
  });

  test('when the token has expired, then 401 and nothing is issued', async () => {
    const alice = await registerUser(svc.app);
    await db.models.refreshTokens.updateOne(
      { hash: sha256Hex(alice.refreshToken) },
      { $set: { expiresAt: new Date(Date.now() - 1000) } },
    );

    const res = await refresh(alice.refreshToken);

    expect(res).toMatchObject({ status: 401, body: invalidToken });
    expect(await familyOf(alice.refreshToken)).toHaveLength(1);
  });

  test('when the token is unknown, then 401 and nothing is stored', async () => {
    // Live tokens only: the TTL sweep may remove the expired ones other tests leave, at any moment.
    const live = () => db.models.refreshTokens.countDocuments({ expiresAt: { $gt: new Date() } });
    const before = await live();

    const res = await refresh('A'.repeat(43));

    expect(res).toMatchObject({ status: 401, body: invalidToken });
    expect(await live()).toBe(before);
  });

  test('when the refresh token is the hash the database stores, then 401', async () => {
    const alice = await registerUser(svc.app);

    await refresh(sha256Hex(alice.refreshToken)).expect(401);
  });

  test.each([
    ['missing', {}],
    ['not a string', { refreshToken: 123 }],
    ['an operator object', { refreshToken: { $ne: null } }],
    ['empty', { refreshToken: '' }],
    ['too long', { refreshToken: 'a'.repeat(513) }],
    ['sent with an unknown field', { refreshToken: 'abc', userId: '0'.repeat(24) }],
  ])('when the refresh token is %s, then 400', async (_case, body) => {
    const res = await request(svc.app).post('/api/auth/refresh-token').send(body);

    expect(res).toMatchObject({ status: 400, body: { success: false, message: 'Validation failed' } });
  });

  test('when the user no longer exists, then 401', async () => {
    const alice = await registerUser(svc.app);
    await db.models.users.deleteOne({ _id: alice.id });

    await refresh(alice.refreshToken).expect(401);
  });
});
