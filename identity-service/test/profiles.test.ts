import request from 'supertest';
import { EventTypes } from '@social/common/events';
import { probeQueue, type QueueProbe } from '@social/testkit/helpers';
import {
  asTestUser,
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
  probe = await probeQueue(RABBITMQ_URL, svc.config.EVENTS_EXCHANGE, ['user.*']);
});

afterAll(async () => {
  await probe.close();
  await svc.close();
  await db.close();
});

const as = (user: RegisteredUser) => ({ Authorization: `Bearer ${user.accessToken}` });
const nextOf = async (type: string, userId: string) => {
  for (;;) {
    const msg = await probe.next();
    const body = msg.body as { type: string; data: { userId?: string } };
    if (body.type === type && body.data.userId === userId) return msg;
  }
};

describe('GET /api/users/me', () => {
  test('when a user asks for their own profile, then 200 with the defaults, the counters and the email', async () => {
    const alice = await registerUser(svc.app);

    const res = await request(svc.app).get('/api/users/me').set(as(alice));

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      success: true,
      user: {
        id: alice.id,
        username: alice.username,
        displayName: alice.username,
        bio: '',
        avatarMediaId: null,
        createdAt: expect.any(String),
        followers: 0,
        following: 0,
        email: alice.email,
      },
    });
  });

  test('when no token is sent, then 401 with a Bearer challenge', async () => {
    const res = await request(svc.app).get('/api/users/me');

    expect(res).toMatchObject({ status: 401, headers: { 'www-authenticate': 'Bearer' } });
  });
});

describe('PATCH /api/users/me', () => {
  test('when display name and bio change, then 200 with them (trimmed) and user.updated carries the public profile', async () => {
    const alice = await registerUser(svc.app);

    const res = await request(svc.app)
      .patch('/api/users/me')
      .set(as(alice))
      .set('x-request-id', 'req-profile-1')
      .send({ displayName: '  Alice A.  ', bio: 'runner' });

    expect(res).toMatchObject({
      status: 200,
      body: { user: { displayName: 'Alice A.', bio: 'runner', email: alice.email } },
    });
    const msg = await nextOf(EventTypes.UserUpdated, alice.id);
    expect(msg).toMatchObject({
      properties: { correlationId: 'req-profile-1', deliveryMode: 2 },
      body: {
        type: 'user.updated',
        data: { userId: alice.id, username: alice.username, displayName: 'Alice A.', avatarMediaId: null },
      },
    });
    expect(JSON.stringify(msg.body)).not.toContain(alice.email);
    expect((await request(svc.app).get('/api/users/me').set(as(alice))).body.user.bio).toBe('runner');
  });

  test('when the avatar is one of my own uploads, then it is set, after media-service was asked as me', async () => {
    const alice = await registerUser(svc.app);
    const upload = svc.media.add(asTestUser(alice));

    const res = await request(svc.app)
      .patch('/api/users/me')
      .set(as(alice))
      .send({ avatarMediaId: upload.id });

    expect(res).toMatchObject({ status: 200, body: { user: { avatarMediaId: upload.id } } });
    expect(svc.media.received.at(-1)).toMatchObject({
      query: { ids: upload.id },
      headers: { authorization: `Bearer ${alice.accessToken}` },
    });
  });

  test("when the avatar is someone else's upload, then 400 naming it and nothing changes", async () => {
    const [alice, bob] = [await registerUser(svc.app), await registerUser(svc.app)];
    const bobs = svc.media.add(asTestUser(bob));

    const res = await request(svc.app).patch('/api/users/me').set(as(alice)).send({ avatarMediaId: bobs.id });

    expect(res).toMatchObject({
      status: 400,
      body: {
        success: false,
        details: [{ path: 'body.avatarMediaId', reason: expect.stringContaining(bobs.id) }],
      },
    });
    expect((await request(svc.app).get('/api/users/me').set(as(alice))).body.user.avatarMediaId).toBeNull();
  });

  test('when the avatar is cleared with null, then no media lookup is needed', async () => {
    const alice = await registerUser(svc.app);
    const before = svc.media.received.length;

    const res = await request(svc.app).patch('/api/users/me').set(as(alice)).send({ avatarMediaId: null });

    expect(res).toMatchObject({ status: 200, body: { user: { avatarMediaId: null } } });
    expect(svc.media.received).toHaveLength(before);
  });

  test('when media-service does not answer, then 503 and the profile stays', async () => {
    const alice = await registerUser(svc.app);
    svc.media.answer({ status: 500, body: { success: false } });
    try {
      const res = await request(svc.app)
        .patch('/api/users/me')
        .set(as(alice))
        .send({ avatarMediaId: '64b7f0c2a1b2c3d4e5f60718', bio: 'x' });

      expect(res).toMatchObject({ status: 503, body: { success: false } });
      expect((await request(svc.app).get('/api/users/me').set(as(alice))).body.user.bio).toBe('');
    } finally {
      svc.media.answer('media-service');
    }
  });

  test.each([
    ['an empty body', {}],
    ['an unknown field', { displayName: 'ok', role: 'admin' }],
    ['a 51-character display name', { displayName: 'x'.repeat(51) }],
    ['an empty display name', { displayName: '   ' }],
    ['a 161-character bio', { bio: 'b'.repeat(161) }],
    ['an avatar that is not an id', { avatarMediaId: 'nope' }],
    ['a display name that is not a string', { displayName: 42 }],
    ['a display name of two lines', { displayName: 'Alice\nAdmin' }],
    ['a display name with a NUL character', { displayName: 'Al\u0000ice' }],
    ['a display name with an unpaired surrogate', { displayName: 'Alice \ud83d' }],
    ['a bio with a terminal escape sequence', { bio: '\u001b[2J' }],
    ['an email change', { email: 'x@y.z' }],
  ])('when the body has %s, then 400 and nothing changes', async (_case, body) => {
    const alice = await registerUser(svc.app);

    const res = await request(svc.app).patch('/api/users/me').set(as(alice)).send(body);

    expect(res).toMatchObject({ status: 400, body: { success: false, requestId: expect.any(String) } });
    expect((await request(svc.app).get('/api/users/me').set(as(alice))).body.user).toMatchObject({
      displayName: alice.username,
      bio: '',
    });
  });

  test('when the bio has several lines and the display name an emoji, then both are kept exactly', async () => {
    const alice = await registerUser(svc.app);
    const changes = { displayName: 'Alice 👩🏽‍💻', bio: 'runner\nreader\r\n\tcoffee' };

    const res = await request(svc.app).patch('/api/users/me').set(as(alice)).send(changes);

    expect(res.status).toBe(200);
    expect((await request(svc.app).get('/api/users/me').set(as(alice))).body.user).toMatchObject(changes);
  });

  test('when two changes race, then the last user.updated matches what is stored', async () => {
    const alice = await registerUser(svc.app);

    await Promise.all([
      request(svc.app).patch('/api/users/me').set(as(alice)).send({ displayName: 'First' }),
      request(svc.app).patch('/api/users/me').set(as(alice)).send({ avatarMediaId: null, bio: 'second' }),
    ]);

    const stored = (await request(svc.app).get('/api/users/me').set(as(alice))).body.user;
    const events = [
      (await nextOf(EventTypes.UserUpdated, alice.id)).body,
      (await nextOf(EventTypes.UserUpdated, alice.id)).body,
    ];
    expect((events[1] as { data: unknown }).data).toMatchObject({ displayName: stored.displayName });
    expect(stored).toMatchObject({ displayName: 'First', bio: 'second' });
  });
});

describe('GET /api/users/:id and /api/users/by-username/:username', () => {
  test("when someone else's profile is asked for, then 200 without the email and with followedByMe", async () => {
    const [alice, bob] = [await registerUser(svc.app), await registerUser(svc.app)];

    const res = await request(svc.app).get(`/api/users/${bob.id}`).set(as(alice));

    expect(res.status).toBe(200);
    expect(res.body.user).toEqual({
      id: bob.id,
      username: bob.username,
      displayName: bob.username,
      bio: '',
      avatarMediaId: null,
      createdAt: expect.any(String),
      followers: 0,
      following: 0,
      followedByMe: false,
    });
  });

  test('when a username is looked up in another case, then the same profile', async () => {
    const [alice, bob] = [await registerUser(svc.app), await registerUser(svc.app)];

    const res = await request(svc.app)
      .get(`/api/users/by-username/${bob.username.toUpperCase()}`)
      .set(as(alice));

    expect(res).toMatchObject({ status: 200, body: { user: { id: bob.id, followedByMe: false } } });
    expect(res.body.user).not.toHaveProperty('email');
  });

  test.each([
    ['an unknown id', '/api/users/64b7f0c2a1b2c3d4e5f60718', 404],
    ['an id that is not one', '/api/users/nope', 400],
    ['an unknown username', '/api/users/by-username/nobody_at_all_here', 404],
  ])('when %s is asked for (%s), then %i', async (_case, path, status) => {
    const alice = await registerUser(svc.app);

    const res = await request(svc.app).get(path).set(as(alice));

    expect(res).toMatchObject({ status, body: { success: false } });
  });
});

describe('POST /api/auth/register', () => {
  test('when a user registers, then user.registered carries the public profile, never the email', async () => {
    const alice = await registerUser(svc.app);

    const msg = await nextOf(EventTypes.UserRegistered, alice.id);

    expect(msg.body).toMatchObject({
      type: 'user.registered',
      data: { userId: alice.id, username: alice.username, displayName: alice.username, avatarMediaId: null },
    });
    expect(JSON.stringify(msg.body)).not.toContain(alice.email);
  });
});
