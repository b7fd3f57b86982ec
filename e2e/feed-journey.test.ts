import { randomUUID } from 'node:crypto';
import { waitFor } from '@social/testkit/helpers';
import { call, registerAccount, type Account } from './support/api';

interface FeedPost {
  id: string;
  userId: string;
  author: { id: string; username: string | null; displayName: string | null };
  likeCount: number;
  commentCount: number;
  likedByMe: boolean;
}
interface PostPage {
  posts: FeedPost[];
  nextCursor: string | null;
}

const feedOf = (viewer: Account) =>
  call<PostPage>('GET', '/v1/posts/feed', { token: viewer.accessToken, spec: '/v1/posts/feed' });

describe('a home feed’s journey: follow, post, see it, like and comment, unfollow', () => {
  let alice: Account;
  let bob: Account;
  let postId: string;

  beforeAll(async () => {
    [alice, bob] = [await registerAccount(), await registerAccount()];
  });

  test('when bob follows alice and alice posts, then bob’s feed shows it within a second', async () => {
    // Arrange
    await call('PUT', `/v1/users/${alice.userId}/follow`, { token: bob.accessToken }).then((r) =>
      expect(r.status).toBe(200),
    );
    await feedOf(bob); // bob has a feed already: the post must reach it by fan-out
    // Act
    const created = await call<{ post: { id: string } }>('POST', '/v1/posts/create-post', {
      token: alice.accessToken,
      json: { content: `feed journey ${randomUUID()}` },
      spec: '/v1/posts/create-post',
    });
    postId = created.body.post.id;
    // Assert
    const feed = await waitFor(
      async () => {
        const res = await feedOf(bob);
        return res.body.posts.some((p) => p.id === postId) ? res : undefined;
      },
      { timeoutMs: 1_000, intervalMs: 50, description: "alice's post in bob's feed" },
    );
    expect(feed).toMatchObject({ status: 200, body: { success: true, nextCursor: null } });
    expect(feed.body.posts.find((p) => p.id === postId)).toMatchObject({
      userId: alice.userId,
      author: { id: alice.userId, username: alice.username, displayName: alice.username },
    });
  });

  test('when anyone lists alice’s posts, then her new post is first', async () => {
    const res = await call<PostPage>('GET', `/v1/posts/by-user/${alice.userId}?limit=5`, {
      token: bob.accessToken,
      spec: '/v1/posts/by-user/{userId}',
    });

    expect(res).toMatchObject({ status: 200, body: { nextCursor: null } });
    expect(res.body.posts.map((p) => p.id)).toEqual([postId]);
  });

  test('when bob likes and comments on the post from his feed, then his feed shows the counts and his like', async () => {
    // Act
    const like = await call('PUT', `/v1/posts/${postId}/like`, { token: bob.accessToken });
    const comment = await call('POST', `/v1/posts/${postId}/comments`, {
      token: bob.accessToken,
      json: { content: 'nice one' },
    });
    // Assert
    expect(like).toMatchObject({ status: 200, body: { liked: true, likeCount: 1 } });
    expect(comment.status).toBe(201);
    const seen = (await feedOf(bob)).body.posts.find((p) => p.id === postId);
    expect(seen).toMatchObject({ likeCount: 1, commentCount: 1, likedByMe: true });
    const byAlice = (await feedOf(alice)).body.posts.find((p) => p.id === postId);
    expect(byAlice).toMatchObject({ likeCount: 1, commentCount: 1, likedByMe: false });
  });

  test('when bob unfollows alice, then his feed no longer shows her post', async () => {
    // Act
    const res = await call('DELETE', `/v1/users/${alice.userId}/follow`, { token: bob.accessToken });
    // Assert
    expect(res.status).toBe(200);
    await waitFor(async () => !(await feedOf(bob)).body.posts.some((p) => p.id === postId), {
      timeoutMs: 5_000,
      description: "alice's post gone from bob's feed",
    });
  });

  test('when the cursor is tampered with, then 400 with the error shape', async () => {
    const res = await call('GET', '/v1/posts/feed?cursor=bm90LWEtY3Vyc29y.AAAA', { token: bob.accessToken });

    expect(res).toMatchObject({
      status: 400,
      body: { success: false, message: expect.any(String), requestId: expect.any(String) },
    });
  });
});
