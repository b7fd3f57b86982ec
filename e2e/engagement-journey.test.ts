import { call, registerAccount, type Account } from './support/api';

interface LikeState {
  liked: boolean;
  likeCount: number;
}
interface Comment {
  id: string;
  postId: string;
  userId: string;
  content: string;
  createdAt: string;
}
interface CommentPage {
  comments: Comment[];
  nextCursor: string | null;
}

describe('engagement journey: likes and comments through the gateway', () => {
  let alice: Account;
  let bob: Account;
  let postId: string;
  const comments: Comment[] = [];

  const postAs = (viewer: Account) =>
    call<{ post: { likeCount: number; commentCount: number; likedByMe: boolean } }>(
      'GET',
      `/v1/posts/${postId}`,
      { token: viewer.accessToken, spec: '/v1/posts/{id}' },
    );
  const likeAs = (viewer: Account, method: 'PUT' | 'DELETE') =>
    call<LikeState>(method, `/v1/posts/${postId}/like`, {
      token: viewer.accessToken,
      spec: '/v1/posts/{id}/like',
    });
  const commentsPage = (viewer: Account, query = '') =>
    call<CommentPage>('GET', `/v1/posts/${postId}/comments${query}`, {
      token: viewer.accessToken,
      spec: '/v1/posts/{id}/comments',
    });

  beforeAll(async () => {
    [alice, bob] = [await registerAccount(), await registerAccount()];
    const created = await call<{ post: { id: string } }>('POST', '/v1/posts/create-post', {
      token: alice.accessToken,
      json: { content: 'what do you think?' },
      spec: '/v1/posts/create-post',
    });
    postId = created.body.post.id;
  });

  test('when bob likes alice’s post, then the count is 1 and only bob sees likedByMe', async () => {
    const liked = await likeAs(bob, 'PUT');
    const again = await likeAs(bob, 'PUT');

    expect(liked).toMatchObject({ status: 200, body: { success: true, liked: true, likeCount: 1 } });
    expect(again.body).toMatchObject({ liked: true, likeCount: 1 });
    expect((await postAs(bob)).body.post).toMatchObject({ likeCount: 1, likedByMe: true });
    expect((await postAs(alice)).body.post).toMatchObject({ likeCount: 1, likedByMe: false });
  });

  test('when bob unlikes it, then the count is back to 0 on the next read', async () => {
    const res = await likeAs(bob, 'DELETE');

    expect(res).toMatchObject({ status: 200, body: { liked: false, likeCount: 0 } });
    expect((await postAs(bob)).body.post).toMatchObject({ likeCount: 0, likedByMe: false });
  });

  test('when both comment, then the comments list oldest first, page by page', async () => {
    for (const [who, content] of [
      [bob, 'first!'],
      [alice, 'thanks'],
      [bob, 'see you'],
    ] as const) {
      const res = await call<{ comment: Comment }>('POST', `/v1/posts/${postId}/comments`, {
        token: who.accessToken,
        json: { content },
        spec: '/v1/posts/{id}/comments',
      });
      expect(res).toMatchObject({ status: 201, body: { comment: { postId, userId: who.userId, content } } });
      comments.push(res.body.comment);
    }

    const first = await commentsPage(alice, '?limit=2');
    const rest = await commentsPage(
      alice,
      `?limit=2&cursor=${encodeURIComponent(first.body.nextCursor ?? '')}`,
    );

    expect(first.body.comments.map((c) => c.content)).toEqual(['first!', 'thanks']);
    expect(rest.body).toMatchObject({ comments: [{ content: 'see you' }], nextCursor: null });
    expect((await postAs(bob)).body.post.commentCount).toBe(3);
  });

  test('when someone else tries to delete bob’s comment, then 404; alice, the post’s author, may', async () => {
    const carol = await registerAccount();
    const target = comments[0]!;
    const path = `/v1/posts/${postId}/comments/${target.id}`;
    const spec = '/v1/posts/{id}/comments/{commentId}';

    const refused = await call('DELETE', path, { token: carol.accessToken, spec });
    const removed = await call('DELETE', path, { token: alice.accessToken, spec });

    expect(refused.status).toBe(404);
    expect(removed).toMatchObject({ status: 200, body: { success: true } });
    expect((await commentsPage(bob)).body.comments.map((c) => c.content)).toEqual(['thanks', 'see you']);
    expect((await postAs(bob)).body.post.commentCount).toBe(2);
  });

  test('when the post is deleted, then liking and commenting on it answer 404', async () => {
    await call('DELETE', `/v1/posts/${postId}`, { token: alice.accessToken, spec: '/v1/posts/{id}' });

    expect((await likeAs(bob, 'PUT')).status).toBe(404);
    expect((await commentsPage(bob)).status).toBe(404);
  });
});
