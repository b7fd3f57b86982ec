import request from 'supertest';
import { EventTypes, newIntegrationEvent } from '@social/common/events';
import { probeQueue, waitFor, type QueueProbe } from '@social/testkit/helpers';
import {
  RABBITMQ_URL,
  registerUser,
  startTestApp,
  startTestDatabase,
  type RegisteredUser,
  type TestDatabase,
  type TestIdentityApp,
} from './support/identity-test-app';

let db: TestDatabase;
let svc: TestIdentityApp;
let probe: QueueProbe;

beforeAll(async () => {
  db = await startTestDatabase();
  svc = await startTestApp(db);
  probe = await probeQueue(RABBITMQ_URL, svc.config.EVENTS_EXCHANGE, ['user.deleted']);
});

afterAll(async () => {
  await probe.close();
  await svc.close();
  await db.close();
});

const as = (user: RegisteredUser) => ({ Authorization: `Bearer ${user.accessToken}` });
const deleteMe = (user: RegisteredUser, password = user.password) =>
  request(svc.app).delete('/api/users/me').set(as(user)).send({ password });
const me = async (user: RegisteredUser) =>
  (await request(svc.app).get('/api/users/me').set(as(user))).body.user as Record<string, unknown>;

describe('DELETE /api/users/me', () => {
  test('when the password is right, then 200 and login, refresh and the profile are gone at once', async () => {
    const alice = await registerUser(svc.app);

    const res = await deleteMe(alice);

    expect(res).toMatchObject({ status: 200, body: { success: true } });
    const [login, refresh, profile, byName] = await Promise.all([
      request(svc.app).post('/api/auth/login').send({ email: alice.email, password: alice.password }),
      request(svc.app).post('/api/auth/refresh-token').send({ refreshToken: alice.refreshToken }),
      request(svc.app).get('/api/users/me').set(as(alice)),
      request(svc.app).get(`/api/users/by-username/${alice.username}`).set(as(alice)),
    ]);
    expect([login.status, refresh.status, profile.status, byName.status]).toEqual([401, 401, 404, 404]);
    expect(await db.models.refreshTokens.countDocuments({ userId: alice.id })).toBe(0);
  });

  test('when the account is deleted, then user.deleted goes out and the account document goes after it', async () => {
    const alice = await registerUser(svc.app);

    await deleteMe(alice).set('x-request-id', 'req-delete-1').expect(200);

    let msg = await probe.next();
    while ((msg.body as { data: { userId: string } }).data.userId !== alice.id) msg = await probe.next();
    expect(msg).toMatchObject({
      properties: { correlationId: 'req-delete-1', deliveryMode: 2 },
      body: { type: 'user.deleted', data: { userId: alice.id } },
    });
    await waitFor(async () => (await db.models.users.countDocuments({ _id: alice.id })) === 0, {
      description: 'account document removed after its event was confirmed',
    });
  });

  test('when the password is wrong, then 401 and the account stays', async () => {
    const alice = await registerUser(svc.app);

    const res = await deleteMe(alice, 'not-the-password');

    expect(res).toMatchObject({ status: 401, body: { success: false } });
    expect(await me(alice)).toMatchObject({ id: alice.id });
  });

  test.each([
    ['no body', undefined],
    ['no password', {}],
    ['an extra field', { password: 'x', force: true }],
    ['a password that is not a string', { password: 123 }],
  ])('when the body has %s, then 400 and the account stays', async (_case, body) => {
    const alice = await registerUser(svc.app);

    const res = await request(svc.app).delete('/api/users/me').set(as(alice)).send(body);

    expect(res).toMatchObject({ status: 400, body: { success: false } });
    expect(await me(alice)).toMatchObject({ id: alice.id });
  });

  test('when deleted, then the email and the username can be registered again', async () => {
    const alice = await registerUser(svc.app);
    await deleteMe(alice).expect(200);

    const again = await request(svc.app)
      .post('/api/auth/register')
      .send({ username: alice.username.toUpperCase(), email: alice.email, password: 'a-new-password' });

    expect(again).toMatchObject({ status: 201, body: { user: { email: alice.email } } });
    expect(again.body.user.id).not.toBe(alice.id);
  });

  test('when a followed and following account is deleted, then its edges go and the others’ counters drop', async () => {
    const [alice, bob, carol] = [
      await registerUser(svc.app),
      await registerUser(svc.app),
      await registerUser(svc.app),
    ];
    await request(svc.app).put(`/api/users/${bob.id}/follow`).set(as(alice)).expect(200);
    await request(svc.app).put(`/api/users/${alice.id}/follow`).set(as(bob)).expect(200);
    await request(svc.app).put(`/api/users/${alice.id}/follow`).set(as(carol)).expect(200);

    await deleteMe(alice).expect(200);

    expect(await me(bob)).toMatchObject({ followers: 0, following: 0 });
    expect(await me(carol)).toMatchObject({ following: 0 });
    const [bobsFollowers, carolsFollowing] = await Promise.all([
      request(svc.app).get(`/api/users/${bob.id}/followers`).set(as(bob)),
      request(svc.app).get(`/api/users/${carol.id}/following`).set(as(carol)),
    ]);
    expect(bobsFollowers.body.users).toEqual([]);
    expect(carolsFollowing.body.users).toEqual([]);
    expect(
      await db.models.follows.countDocuments({ $or: [{ followerId: alice.id }, { followeeId: alice.id }] }),
    ).toBe(0);
  });

  test('when a deleted account is followed or deleted again, then 404', async () => {
    const [alice, bob] = [await registerUser(svc.app), await registerUser(svc.app)];
    await deleteMe(alice).expect(200);

    const [followIt, deleteAgain] = await Promise.all([
      request(svc.app).put(`/api/users/${alice.id}/follow`).set(as(bob)),
      deleteMe(alice),
    ]);

    expect([followIt.status, deleteAgain.status]).toEqual([404, 404]);
  });
});

describe('queue identity-service.user-deleted', () => {
  test('when user.deleted arrives for an account whose edges a crash left behind, then they are dropped and counters fixed', async () => {
    // Arrange: the account is marked deleted, but its cleanup never ran (as if the process died right after)
    const [alice, bob] = [await registerUser(svc.app), await registerUser(svc.app)];
    await request(svc.app).put(`/api/users/${bob.id}/follow`).set(as(alice)).expect(200);
    await db.models.users.updateOne({ _id: alice.id }, { $set: { deletedAt: new Date() } });

    // Act
    await svc.bus.publish(newIntegrationEvent(EventTypes.UserDeleted, { userId: alice.id }));

    // Assert
    await waitFor(async () => (await me(bob)).followers === 0, {
      description: "bob's follower count back to 0",
    });
    expect(await db.models.follows.countDocuments({ followerId: alice.id, active: true })).toBe(0);
  });
});
