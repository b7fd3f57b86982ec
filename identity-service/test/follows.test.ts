import request from 'supertest';
import { EventTypes } from '@social/common/events';
import { probeQueue, type QueueProbe } from '@social/testkit/helpers';
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
  probe = await probeQueue(RABBITMQ_URL, svc.config.EVENTS_EXCHANGE, ['user.followed', 'user.unfollowed']);
});

afterAll(async () => {
  await probe.close();
  await svc.close();
  await db.close();
});

const as = (user: RegisteredUser) => ({ Authorization: `Bearer ${user.accessToken}` });
const follow = (who: RegisteredUser, whom: string) =>
  request(svc.app).put(`/api/users/${whom}/follow`).set(as(who));
const unfollow = (who: RegisteredUser, whom: string) =>
  request(svc.app).delete(`/api/users/${whom}/follow`).set(as(who));
const profile = async (viewer: RegisteredUser, id: string) =>
  (await request(svc.app).get(`/api/users/${id}`).set(as(viewer))).body.user as Record<string, unknown>;
type Users<N extends number, R extends RegisteredUser[] = []> = R['length'] extends N
  ? R
  : Users<N, [RegisteredUser, ...R]>;
/** `n` freshly registered users, typed as exactly that many. */
const users = <N extends number>(n: N): Promise<Users<N>> =>
  Promise.all(Array.from({ length: n }, () => registerUser(svc.app))) as Promise<Users<N>>;
const eventsFor = (followeeId: string) =>
  probe.received.filter((m) => (m.body as { data: { followeeId: string } }).data.followeeId === followeeId);

describe('PUT /api/users/:id/follow', () => {
  test('when alice follows bob, then 200 {following, followers}, both counters move and user.followed goes out', async () => {
    const [alice, bob] = await users(2);

    const res = await follow(alice, bob.id).set('x-request-id', 'req-follow-1');

    expect(res).toMatchObject({ status: 200, body: { success: true, following: true, followers: 1 } });
    expect(await profile(alice, bob.id)).toMatchObject({ followers: 1, followedByMe: true });
    expect((await request(svc.app).get('/api/users/me').set(as(alice))).body.user.following).toBe(1);
    const msg = await probe.next();
    expect(msg).toMatchObject({
      routingKey: 'user.followed',
      properties: { correlationId: 'req-follow-1', deliveryMode: 2 },
      body: {
        type: EventTypes.UserFollowed,
        data: { followerId: alice.id, followeeId: bob.id, at: expect.any(String) },
      },
    });
  });

  test('when alice follows bob twice, then the second answers the same and changes nothing', async () => {
    const [alice, bob] = await users(2);
    await follow(alice, bob.id).expect(200);

    const again = await follow(alice, bob.id);

    expect(again.body).toMatchObject({ following: true, followers: 1 });
    await svc.outbox.runOnce();
    expect(eventsFor(bob.id)).toHaveLength(1);
  });

  test('when the same pair follows 10 times at once, then one edge, counters at 1, one event', async () => {
    const [alice, bob] = await users(2);

    const answers = await Promise.all(Array.from({ length: 10 }, () => follow(alice, bob.id)));

    expect(answers.every((r) => r.status === 200 && r.body.following === true)).toBe(true);
    expect(await profile(alice, bob.id)).toMatchObject({ followers: 1 });
    expect((await request(svc.app).get('/api/users/me').set(as(alice))).body.user.following).toBe(1);
    expect(await db.models.follows.countDocuments({ followerId: alice.id, followeeId: bob.id })).toBe(1);
    await svc.outbox.runOnce();
    expect(eventsFor(bob.id)).toHaveLength(1);
  });

  test('when 10 users follow and unfollow one user concurrently, then the follower count is exact', async () => {
    const [target, ...fans] = await users(11);
    await Promise.all(fans.map((f) => follow(f, target.id)));

    // Every fan unfollows and follows again at the same time, some twice.
    await Promise.all([
      ...fans.map((f) => unfollow(f, target.id)),
      ...fans.slice(0, 5).map((f) => unfollow(f, target.id)),
    ]);
    await Promise.all(fans.slice(0, 4).map((f) => follow(f, target.id)));

    expect(await profile(fans[0], target.id)).toMatchObject({ followers: 4 });
    expect(await db.models.follows.countDocuments({ followeeId: target.id, active: true })).toBe(4);
  });

  test('when someone follows themselves, then 400 and nothing moves', async () => {
    const [alice] = await users(1);

    const res = await follow(alice, alice.id);

    expect(res).toMatchObject({
      status: 400,
      body: { success: false, message: 'You cannot follow yourself' },
    });
    expect((await request(svc.app).get('/api/users/me').set(as(alice))).body.user).toMatchObject({
      followers: 0,
      following: 0,
    });
  });

  test.each([
    ['an unknown user', 404, '64b7f0c2a1b2c3d4e5f60718'],
    ['an id that is not one', 400, 'nope'],
  ])('when the followee is %s, then %i', async (_case, status, id) => {
    const [alice] = await users(1);

    expect((await follow(alice, id)).status).toBe(status);
    expect((await unfollow(alice, id)).status).toBe(status);
  });
});

describe('DELETE /api/users/:id/follow', () => {
  test('when alice unfollows bob, then 200 {following: false}, counters drop, user.unfollowed goes out', async () => {
    const [alice, bob] = await users(2);
    await follow(alice, bob.id).expect(200);

    const res = await unfollow(alice, bob.id);

    expect(res).toMatchObject({ status: 200, body: { following: false, followers: 0 } });
    expect(await profile(alice, bob.id)).toMatchObject({ followers: 0, followedByMe: false });
    await svc.outbox.runOnce();
    expect(eventsFor(bob.id).map((m) => m.routingKey)).toEqual(['user.followed', 'user.unfollowed']);
  });

  test('when alice unfollows someone she never followed, then 200 and nothing moves', async () => {
    const [alice, bob] = await users(2);

    const res = await unfollow(alice, bob.id);

    expect(res).toMatchObject({ status: 200, body: { following: false, followers: 0 } });
    await svc.outbox.runOnce();
    expect(eventsFor(bob.id)).toHaveLength(0);
  });
});

describe('GET /api/users/:id/followers and /following', () => {
  test('when a list spans pages, then newest edge first, each entry once, nextCursor null at the end', async () => {
    const [star, ...fans] = await users(6);
    for (const fan of fans) await follow(fan, star.id).expect(200); // in order: the last is the newest

    const first = await request(svc.app).get(`/api/users/${star.id}/followers?limit=2`).set(as(fans[0]));
    const second = await request(svc.app)
      .get(`/api/users/${star.id}/followers?limit=2&cursor=${first.body.nextCursor}`)
      .set(as(fans[0]));
    const third = await request(svc.app)
      .get(`/api/users/${star.id}/followers?limit=2&cursor=${second.body.nextCursor}`)
      .set(as(fans[0]));

    const ids = [...first.body.users, ...second.body.users, ...third.body.users].map(
      (u: { id: string }) => u.id,
    );
    expect(ids).toEqual(fans.map((f) => f.id).reverse());
    expect(first.body.nextCursor).toEqual(expect.any(String));
    expect(third.body.nextCursor).toBeNull();
    expect(first.body.users[0]).toMatchObject({
      id: fans[4].id,
      username: fans[4].username,
      followedByMe: false,
    });
  });

  test('when new followers arrive while the list is paged, then the pages neither skip nor repeat anyone', async () => {
    const [star, ...fans] = await users(5);
    for (const fan of fans.slice(0, 4)) await follow(fan, star.id).expect(200);
    const first = await request(svc.app).get(`/api/users/${star.id}/followers?limit=2`).set(as(star));

    const [late] = await users(1);
    await follow(late, star.id).expect(200);
    const rest = await request(svc.app)
      .get(`/api/users/${star.id}/followers?limit=10&cursor=${first.body.nextCursor}`)
      .set(as(star));

    const seen = [...first.body.users, ...rest.body.users].map((u: { id: string }) => u.id);
    expect(seen).toEqual(
      fans
        .slice(0, 4)
        .map((f) => f.id)
        .reverse(),
    );
    expect(new Set(seen).size).toBe(seen.length);
  });

  test('when bob lists whom alice follows, then followedByMe says which of them bob follows too', async () => {
    const [alice, bob, carol, dave] = await users(4);
    await follow(alice, carol.id).expect(200);
    await follow(alice, dave.id).expect(200);
    await follow(bob, dave.id).expect(200);

    const res = await request(svc.app).get(`/api/users/${alice.id}/following`).set(as(bob));

    expect(res.body.users.map((u: { id: string; followedByMe: boolean }) => [u.id, u.followedByMe])).toEqual([
      [dave.id, true],
      [carol.id, false],
    ]);
  });

  test.each([
    // The signature's first character carries six bits of it; its last one only two (the rest is padding), so
    // rewriting the tail left the decoded signature unchanged about once in 256 runs.
    ['tampered', (c: string) => c.replace(/\.(.)/, (_m, ch: string) => `.${ch === 'A' ? 'B' : 'A'}`)],
    ['truncated', (c: string) => c.slice(0, 10)],
    ['not a cursor at all', () => 'abc'],
  ])('when the cursor is %s, then 400 naming it', async (_case, mangle) => {
    const [star, a, b] = await users(3);
    await follow(a, star.id).expect(200);
    await follow(b, star.id).expect(200);
    const first = await request(svc.app).get(`/api/users/${star.id}/followers?limit=1`).set(as(star));

    const res = await request(svc.app)
      .get(
        `/api/users/${star.id}/followers?limit=1&cursor=${encodeURIComponent(mangle(first.body.nextCursor))}`,
      )
      .set(as(star));

    expect(res).toMatchObject({ status: 400, body: { success: false, details: [{ path: 'query.cursor' }] } });
  });

  test('when a cursor from another list is used, then 400', async () => {
    const [star, other, a, b] = await users(4);
    for (const fan of [a, b]) await follow(fan, star.id).expect(200);
    const starsFollowers = await request(svc.app)
      .get(`/api/users/${star.id}/followers?limit=1`)
      .set(as(star));

    const [wrongUser, wrongSide] = await Promise.all([
      request(svc.app)
        .get(`/api/users/${other.id}/followers?cursor=${starsFollowers.body.nextCursor}`)
        .set(as(star)),
      request(svc.app)
        .get(`/api/users/${star.id}/following?cursor=${starsFollowers.body.nextCursor}`)
        .set(as(star)),
    ]);

    expect(wrongUser.status).toBe(400);
    expect(wrongSide.status).toBe(400);
  });

  test.each([
    ['limit 0', 400, '?limit=0'],
    ['limit 51', 400, '?limit=51'],
    ['an unknown query field', 400, '?sort=asc'],
  ])('when the query has %s, then %i', async (_case, status, query) => {
    const [alice] = await users(1);

    expect(
      (await request(svc.app).get(`/api/users/${alice.id}/followers${query}`).set(as(alice))).status,
    ).toBe(status);
  });

  test('when the user does not exist, then 404', async () => {
    const [alice] = await users(1);

    const res = await request(svc.app).get('/api/users/64b7f0c2a1b2c3d4e5f60718/following').set(as(alice));

    expect(res).toMatchObject({ status: 404, body: { success: false } });
  });
});
