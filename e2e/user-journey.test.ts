import { randomUUID } from 'node:crypto';
import { waitFor } from '@social/testkit/helpers';
import { call, registerAccount, tinyPng, type Account } from './support/api';

interface Post {
  id: string;
  content: string;
  mediaIds: string[];
  media: Array<{ id: string; url: string; mimeType: string }>;
}

const uploadPng = (token: string) => {
  const form = new FormData();
  form.append('file', tinyPng(), 'avatar.png');
  return call<{ mediaId: string; url: string }>('POST', '/v1/media/upload', {
    token,
    raw: { body: form },
    spec: '/v1/media/upload',
  });
};

const searchFor = (word: string, token: string) =>
  call<{ results: Array<{ postId: string }> }>('GET', `/v1/search/posts?query=${word}`, {
    token,
    spec: '/v1/search/posts',
  });

describe('a user’s journey through the gateway', () => {
  let alice: Account;
  let bob: Account;
  const word = `zebra${randomUUID().replace(/-/g, '').slice(0, 8)}`;
  let mediaId: string;
  let mediaUrl: string;
  let post: Post;

  beforeAll(async () => {
    [alice, bob] = await Promise.all([registerAccount(), registerAccount()]);
  });

  test('when alice logs in, then she gets a fresh token pair', async () => {
    const res = await call('POST', '/v1/auth/login', {
      json: { email: alice.email, password: alice.password },
      spec: '/v1/auth/login',
    });
    expect(res).toMatchObject({ status: 200, body: { success: true, userId: alice.userId } });
  });

  test('when alice uploads an image, then it is stored and served back publicly', async () => {
    // The stack's media folder has a dot segment (like the default media-service/.media): this fetch covers it.
    const res = await uploadPng(alice.accessToken);
    expect(res).toMatchObject({ status: 201, body: { mimeType: 'image/png', size: 70 } });
    ({ mediaId, url: mediaUrl } = res.body);
    const file = await fetch(mediaUrl);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('image/png');
    expect(file.headers.get('x-content-type-options')).toBe('nosniff');
  });

  test('when bob asks for alice’s unposted media by id, then 404 as if it did not exist', async () => {
    const res = await call('GET', `/v1/media/${mediaId}`, { token: bob.accessToken, spec: '/v1/media/{id}' });
    expect(res).toMatchObject({ status: 404, body: { success: false } });
    const own = await call('GET', `/v1/media/${mediaId}`, {
      token: alice.accessToken,
      spec: '/v1/media/{id}',
    });
    expect(own).toMatchObject({ status: 200, body: { media: { id: mediaId, url: mediaUrl } } });
  });

  test('when alice attaches bob’s media to her post, then 400 naming it and no post', async () => {
    const bobs = await uploadPng(bob.accessToken);
    const content = `not mine ${word}`;
    const res = await call('POST', '/v1/posts/create-post', {
      token: alice.accessToken,
      json: { content, mediaIds: [mediaId, bobs.body.mediaId] },
      spec: '/v1/posts/create-post',
    });
    expect(res).toMatchObject({
      status: 400,
      body: {
        success: false,
        details: [{ path: 'body.mediaIds.1', reason: expect.stringContaining(bobs.body.mediaId) }],
      },
    });
    const list = await call<{ posts: Post[] }>('GET', '/v1/posts/all-posts?limit=50', {
      token: alice.accessToken,
    });
    expect(list.body.posts.map((p) => p.content)).not.toContain(content);
  });

  test('when alice posts with the image, then the post is listed and readable with its media', async () => {
    const media = [{ id: mediaId, url: mediaUrl, mimeType: 'image/png' }];
    const created = await call<{ post: Post }>('POST', '/v1/posts/create-post', {
      token: alice.accessToken,
      json: { content: `Running with my ${word} today`, mediaIds: [mediaId] },
      spec: '/v1/posts/create-post',
    });
    expect(created).toMatchObject({ status: 201, body: { post: { mediaIds: [mediaId], media } } });
    post = created.body.post;
    const list = await call<{ posts: Post[] }>('GET', '/v1/posts/all-posts?limit=50', {
      token: alice.accessToken,
      spec: '/v1/posts/all-posts',
    });
    expect(list.body.posts.find((p) => p.id === post.id)).toMatchObject({ media });
    const one = await call('GET', `/v1/posts/${post.id}`, {
      token: alice.accessToken,
      spec: '/v1/posts/{id}',
    });
    expect(one).toMatchObject({ status: 200, body: { post: { id: post.id, content: post.content, media } } });
  });

  test('when bob reads alice’s post, then he can show its image from the post alone', async () => {
    const read = await call<{ post: Post }>('GET', `/v1/posts/${post.id}`, {
      token: bob.accessToken,
      spec: '/v1/posts/{id}',
    });
    const file = await fetch(read.body.post.media[0]?.url ?? 'missing');
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await file.arrayBuffer()).length).toBe(70);
  });

  test('when the post is created, then search finds it by a stemmed word', async () => {
    await waitFor(
      async () => (await searchFor(word, alice.accessToken)).body.results.some((r) => r.postId === post.id),
      {
        timeoutMs: 10_000,
        description: 'post searchable',
      },
    );
    const stemmed = await searchFor(`run ${word}`, alice.accessToken);
    expect(stemmed.body.results[0]).toMatchObject({ postId: post.id });
  });

  test('when each service answers through the gateway, then the gateway’s security headers are on it, once', async () => {
    // The services leave helmet to the gateway; a service's own choice (the public file's CORP) still wins.
    const answers = await Promise.all([
      call('GET', '/v1/users/me', { token: alice.accessToken }),
      call('GET', `/v1/posts/${post.id}`, { token: alice.accessToken }),
      call('GET', `/v1/media/${mediaId}`, { token: alice.accessToken }),
      searchFor(word, alice.accessToken),
      call('GET', '/v1/posts/not-an-id', { token: alice.accessToken }),
    ]);
    for (const res of answers) {
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toBe("default-src 'none';frame-ancestors 'none'");
      expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    }
    const file = await fetch(mediaUrl);
    expect(file.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(file.headers.get('content-security-policy')).toMatch(
      /^default-src 'none'; img-src 'self'; media-src 'self';/,
    );
  });

  test('when someone else deletes the post, then 404 and it stays', async () => {
    const res = await call('DELETE', `/v1/posts/${post.id}`, {
      token: bob.accessToken,
      spec: '/v1/posts/{id}',
    });
    expect(res.status).toBe(404);
    expect((await call('GET', `/v1/posts/${post.id}`, { token: bob.accessToken })).status).toBe(200);
  });

  test('when alice deletes the post, then search forgets it and its media is gone', async () => {
    const res = await call('DELETE', `/v1/posts/${post.id}`, {
      token: alice.accessToken,
      spec: '/v1/posts/{id}',
    });
    expect(res).toMatchObject({ status: 200, body: { success: true } });
    expect((await call('GET', `/v1/posts/${post.id}`, { token: alice.accessToken })).status).toBe(404);
    await waitFor(async () => (await searchFor(word, alice.accessToken)).body.results.length === 0, {
      timeoutMs: 10_000,
      description: 'post removed from search',
    });
    await waitFor(
      async () => (await call('GET', `/v1/media/${mediaId}`, { token: alice.accessToken })).status === 404,
      {
        timeoutMs: 10_000,
        description: 'media record deleted',
      },
    );
    expect((await fetch(mediaUrl)).status).toBe(404);
  });

  test('when a refresh token is rotated and the old one reused, then the whole family is revoked', async () => {
    const first = await call<{ refreshToken: string }>('POST', '/v1/auth/refresh-token', {
      json: { refreshToken: alice.refreshToken },
      spec: '/v1/auth/refresh-token',
    });
    expect(first.status).toBe(200);
    const reuse = await call('POST', '/v1/auth/refresh-token', {
      json: { refreshToken: alice.refreshToken },
      spec: '/v1/auth/refresh-token',
    });
    expect(reuse.status).toBe(401);
    const rotated = await call('POST', '/v1/auth/refresh-token', {
      json: { refreshToken: first.body.refreshToken },
    });
    expect(rotated.status).toBe(401);
  });

  test('when alice logs out, then her refresh token no longer works', async () => {
    const login = await call<{ refreshToken: string }>('POST', '/v1/auth/login', {
      json: { email: alice.email, password: alice.password },
    });
    const out = await call('POST', '/v1/auth/logout', {
      json: { refreshToken: login.body.refreshToken },
      spec: '/v1/auth/logout',
    });
    expect(out).toMatchObject({ status: 200, body: { success: true } });
    const after = await call('POST', '/v1/auth/refresh-token', {
      json: { refreshToken: login.body.refreshToken },
    });
    expect(after.status).toBe(401);
  });

  test('when one email is hammered with wrong passwords, then the login limiter answers 429', async () => {
    const email = `victim-${randomUUID()}@example.com`;
    const statuses: number[] = [];
    let limited: Awaited<ReturnType<typeof call>> | undefined;
    for (let i = 0; i < 12 && !limited; i++) {
      const res = await call('POST', '/v1/auth/login', {
        json: { email, password: 'wrong-password' },
        spec: '/v1/auth/login',
      });
      statuses.push(res.status);
      if (res.status === 429) limited = res;
    }
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(limited).toMatchObject({ status: 429, body: { success: false, requestId: expect.any(String) } });
    expect(limited?.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});
