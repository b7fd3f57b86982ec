import { randomUUID } from 'node:crypto';
import { waitFor } from '@social/testkit/helpers';
import { call, registerAccount, tinyPng, type Account } from './support/api';

interface Profile {
  id: string;
  followers: number;
  following: number;
  followedByMe?: boolean;
}

const profileOf = (viewer: Account, id: string) =>
  call<{ user: Profile }>('GET', `/v1/users/${id}`, { token: viewer.accessToken, spec: '/v1/users/{id}' });

describe('an account’s journey: profiles, follows, and leaving', () => {
  let alice: Account;
  let bob: Account;
  const word = `quokka${randomUUID().replace(/-/g, '').slice(0, 8)}`;
  let postId: string;
  let mediaUrl: string;

  beforeAll(async () => {
    [alice, bob] = [await registerAccount(), await registerAccount()];
  });

  test('when alice names herself and uploads an avatar, then her profile shows both', async () => {
    const form = new FormData();
    form.append('file', tinyPng(), 'me.png');
    const upload = await call<{ mediaId: string }>('POST', '/v1/media/upload', {
      token: alice.accessToken,
      raw: { body: form },
    });

    const res = await call<{ user: { displayName: string; avatarMediaId: string } }>(
      'PATCH',
      '/v1/users/me',
      {
        token: alice.accessToken,
        json: {
          displayName: 'Alice Liddell',
          bio: 'down the rabbit hole',
          avatarMediaId: upload.body.mediaId,
        },
        spec: '/v1/users/me',
      },
    );

    expect(res).toMatchObject({
      status: 200,
      body: { user: { displayName: 'Alice Liddell', avatarMediaId: upload.body.mediaId } },
    });
    const byName = await call('GET', `/v1/users/by-username/${alice.username}`, {
      token: bob.accessToken,
      spec: '/v1/users/by-username/{username}',
    });
    expect(byName).toMatchObject({
      status: 200,
      body: { user: { id: alice.userId, bio: 'down the rabbit hole' } },
    });
  });

  test('when alice and bob follow each other, then both profiles and lists say so', async () => {
    const follows = await Promise.all([
      call('PUT', `/v1/users/${bob.userId}/follow`, {
        token: alice.accessToken,
        spec: '/v1/users/{id}/follow',
      }),
      call('PUT', `/v1/users/${alice.userId}/follow`, {
        token: bob.accessToken,
        spec: '/v1/users/{id}/follow',
      }),
    ]);

    expect(follows.map((r) => r.body)).toMatchObject([
      { following: true, followers: 1 },
      { following: true, followers: 1 },
    ]);
    expect((await profileOf(bob, alice.userId)).body.user).toMatchObject({
      followers: 1,
      following: 1,
      followedByMe: true,
    });
    const followers = await call<{ users: Array<{ id: string }>; nextCursor: string | null }>(
      'GET',
      `/v1/users/${bob.userId}/followers`,
      { token: bob.accessToken, spec: '/v1/users/{id}/followers' },
    );
    expect(followers.body).toMatchObject({ users: [{ id: alice.userId }], nextCursor: null });
  });

  test('when alice posts with a picture, then bob can find the post and load the picture', async () => {
    const form = new FormData();
    form.append('file', tinyPng(), 'pic.png');
    const upload = await call<{ mediaId: string; url: string }>('POST', '/v1/media/upload', {
      token: alice.accessToken,
      raw: { body: form },
    });
    mediaUrl = upload.body.url;

    const created = await call<{ post: { id: string } }>('POST', '/v1/posts/create-post', {
      token: alice.accessToken,
      json: { content: `a ${word} at tea`, mediaIds: [upload.body.mediaId] },
    });
    postId = created.body.post.id;

    await waitFor(
      async () =>
        (
          await call<{ results: Array<{ postId: string }> }>('GET', `/v1/search/posts?query=${word}`, {
            token: bob.accessToken,
          })
        ).body.results.some((r) => r.postId === postId),
      { timeoutMs: 10_000, description: "alice's post searchable" },
    );
    expect((await fetch(mediaUrl)).status).toBe(200);
  });

  test('when alice deletes her account, then at once she cannot sign in and bob lost a follower', async () => {
    const wrong = await call('DELETE', '/v1/users/me', {
      token: alice.accessToken,
      json: { password: 'not her password' },
      spec: '/v1/users/me',
    });
    expect(wrong.status).toBe(401);

    const res = await call('DELETE', '/v1/users/me', {
      token: alice.accessToken,
      json: { password: alice.password },
      spec: '/v1/users/me',
    });

    expect(res).toMatchObject({ status: 200, body: { success: true } });
    const [login, refresh, profile] = await Promise.all([
      call('POST', '/v1/auth/login', { json: { email: alice.email, password: alice.password } }),
      call('POST', '/v1/auth/refresh-token', { json: { refreshToken: alice.refreshToken } }),
      profileOf(bob, alice.userId),
    ]);
    expect([login.status, refresh.status, profile.status]).toEqual([401, 401, 404]);
    const bobNow = await call<{ user: Profile }>('GET', '/v1/users/me', { token: bob.accessToken });
    expect(bobNow.body.user).toMatchObject({ followers: 0, following: 0 });
  });

  test('when a few seconds have passed, then nothing of alice is listed, searchable or stored', async () => {
    await waitFor(
      async () => (await call('GET', `/v1/posts/${postId}`, { token: bob.accessToken })).status === 404,
      {
        timeoutMs: 15_000,
        description: "alice's post deleted",
      },
    );
    await waitFor(
      async () =>
        (
          await call<{ results: unknown[] }>('GET', `/v1/search/posts?query=${word}`, {
            token: bob.accessToken,
          })
        ).body.results.length === 0,
      { timeoutMs: 15_000, description: "alice's post gone from search" },
    );
    await waitFor(async () => (await fetch(mediaUrl)).status === 404, {
      timeoutMs: 15_000,
      description: "alice's files gone",
    });
    const list = await call<{ posts: Array<{ userId: string }> }>('GET', '/v1/posts/all-posts?limit=50', {
      token: bob.accessToken,
    });
    expect(list.body.posts.filter((p) => p.userId === alice.userId)).toEqual([]);
  });

  test('when someone registers with her email and username again, then it works', async () => {
    const again = await call('POST', '/v1/auth/register', {
      json: { username: alice.username, email: alice.email, password: 'a brand new password' },
      spec: '/v1/auth/register',
    });

    expect(again.status).toBe(201);
  });
});
