import request from 'supertest';
import { createTestUser, silentLogger, waitFor, type TestUser } from '@social/testkit/helpers';
import { createMetrics } from '@social/common/metrics';
import { createFollowingCache } from '../src/cache/following-cache';
import { arrange } from './support/post-data';
import {
  startInfra,
  startPostApp,
  stopInfra,
  type PostTestEnv,
  type PostTestInfra,
} from './support/post-app';
import {
  allPages,
  feedIds,
  follow,
  getByUser,
  getFeed,
  unfollow,
  type ListReply,
} from './support/user-events';

/** Low, so a test can make a hot author out of three followers (production default: 10,000). */
const THRESHOLD = 3;

let infra: PostTestInfra;
let env: PostTestEnv;

beforeAll(async () => {
  infra = await startInfra();
  env = await startPostApp(infra, { fanOutReadThreshold: THRESHOLD });
});
afterAll(async () => {
  await env.close();
  await stopInfra(infra);
});

const feedKey = (user: TestUser): string => `feed:{${user.id}}`;
const HOT_AUTHORS = 'feed:hot:{authors}';
const HOT_AUTHORS_VERSION = 'feed:hot:{authors}:version';
const stateKey = (user: TestUser): string => `feed:{${user.id}}:state`;
const followingKey = (user: TestUser): string => `feed:{${user.id}}:following`;
const createPosts = async (user: TestUser, n: number): Promise<string[]> => {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push((await arrange(env.app).createPost(user)).id);
  return ids;
};

describe('GET /api/posts/feed', () => {
  test('when bob follows alice and alice posts, then bob’s feed shows it within a second, with its author', async () => {
    // Arrange
    const [alice, bob] = [createTestUser(), createTestUser()];
    await follow(env, bob, alice);
    await getFeed(env.app, bob); // bob has read his feed before: it lives in Redis, so fan-out must reach it
    // Act
    const post = await arrange(env.app).createPost(alice);
    // Assert
    await waitFor(async () => (await feedIds(env.app, bob)).includes(post.id), {
      timeoutMs: 1_000,
      description: 'post in bob’s feed',
    });
    const res = await getFeed(env.app, bob);
    expect(res).toMatchObject({ status: 200, body: { success: true, posts: [post], nextCursor: null } });
    expect(res.body.posts[0]?.author).toEqual({
      id: alice.id,
      username: alice.username,
      displayName: alice.username,
    });
    expect(await env.redis.zscore(feedKey(bob), post.id)).toBe(String(Date.parse(post.createdAt)));
  });

  test('when a post is fanned out, then feed_fanout_lag_seconds counts it by mode on /metrics', async () => {
    // Arrange
    const alice = createTestUser();
    const count = async (): Promise<number> => {
      const text = (await request(env.internal).get('/metrics')).text;
      const line = text
        .split('\n')
        .find((l) => l.startsWith('feed_fanout_lag_seconds_count{') && l.includes('mode="write"'));
      return Number(line?.split(' ').at(-1) ?? 0);
    };
    const before = await count();
    // Act
    await arrange(env.app).createPost(alice);
    // Assert
    await waitFor(async () => (await count()) === before + 1, { description: 'fan-out observed' });
  });

  test('when a user posts, then their own feed shows it and strangers’ posts never appear', async () => {
    // Arrange
    const [alice, stranger] = [createTestUser(), createTestUser()];
    const foreign = await arrange(env.app).createPost(stranger);
    // Act
    const own = await arrange(env.app).createPost(alice);
    // Assert
    const ids = await feedIds(env.app, alice);
    expect(ids).toEqual([own.id]);
    expect(ids).not.toContain(foreign.id);
  });

  test('when posts of several authors exist, then the feed is newest first across them', async () => {
    // Arrange
    const [alice, bob, carol] = [createTestUser(), createTestUser(), createTestUser()];
    await follow(env, bob, alice);
    await follow(env, bob, carol);
    const ids = [
      (await arrange(env.app).createPost(alice)).id,
      (await arrange(env.app).createPost(bob)).id,
      (await arrange(env.app).createPost(carol)).id,
    ];
    // Act
    const res = await getFeed(env.app, bob);
    // Assert
    expect(res.body.posts.map((p) => p.id)).toEqual([...ids].reverse());
  });

  test('when the feed is paged while new posts arrive, then no post is skipped or repeated', async () => {
    // Arrange
    const [alice, bob] = [createTestUser(), createTestUser()];
    await follow(env, bob, alice);
    const before = await createPosts(alice, 5);
    const first = await getFeed(env.app, bob, '?limit=2');
    // Act: two new posts land between page 1 and the rest
    await createPosts(alice, 2);
    const rest = await allPages((q) => getFeed(env.app, bob, q), 2, first.body.nextCursor);
    // Assert
    expect(first.body.posts.map((p) => p.id)).toEqual([before[4], before[3]]);
    expect(rest.flat()).toEqual([before[2], before[1], before[0]]);
  });

  test('when the last page is read, then nextCursor is null; the default limit is 20', async () => {
    // Arrange
    const alice = createTestUser();
    await createPosts(alice, 21);
    // Act
    const first = await getFeed(env.app, alice);
    const second = await getFeed(
      env.app,
      alice,
      `?cursor=${encodeURIComponent(first.body.nextCursor ?? '')}`,
    );
    // Assert
    expect(first.body.posts).toHaveLength(20);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    expect(second.body).toMatchObject({ posts: [expect.any(Object)], nextCursor: null });
  });

  test.each(['?limit=0', '?limit=51', '?limit=ten', '?page=2', '?cursor='])(
    'when the query is %s, then 400 with the error shape',
    async (query) => {
      const res = await getFeed(env.app, createTestUser(), query);

      expect(res).toMatchObject({
        status: 400,
        body: { success: false, message: expect.any(String), requestId: expect.any(String) },
      });
    },
  );

  test('when the cursor is tampered with, truncated, or from another list, then 400', async () => {
    // Arrange
    const [alice, bob] = [createTestUser(), createTestUser()];
    await createPosts(alice, 3);
    const { nextCursor } = (await getFeed(env.app, alice, '?limit=1')).body;
    const byUser = (await getByUser(env.app, alice, alice.id, '?limit=1')).body.nextCursor;
    const cursor = nextCursor ?? '';
    const tampered = `${cursor.slice(0, 5)}${cursor[5] === 'A' ? 'B' : 'A'}${cursor.slice(6)}`;
    // Act
    const replies = await Promise.all([
      getFeed(env.app, alice, `?cursor=${encodeURIComponent(tampered)}`),
      getFeed(env.app, alice, `?cursor=${encodeURIComponent(cursor.slice(0, -3))}`),
      getFeed(env.app, alice, `?cursor=${encodeURIComponent(byUser ?? '')}`),
      getFeed(env.app, bob, `?cursor=${encodeURIComponent(cursor)}`),
    ]);
    // Assert
    for (const res of replies)
      expect(res).toMatchObject({
        status: 400,
        body: { success: false, message: 'Invalid cursor', requestId: expect.any(String) },
      });
  });

  test('when bob unfollows alice, then the next read no longer shows her posts', async () => {
    // Arrange
    const [alice, bob] = [createTestUser(), createTestUser()];
    await follow(env, bob, alice);
    const post = await arrange(env.app).createPost(alice);
    await waitFor(async () => (await feedIds(env.app, bob)).includes(post.id), {
      description: 'post in feed',
    });
    // Act
    await unfollow(env, bob, alice);
    // Assert
    expect(await feedIds(env.app, bob)).toEqual([]);
  });

  test('when alice deletes a post, then the next read of her followers’ feeds no longer shows it', async () => {
    // Arrange
    const [alice, bob] = [createTestUser(), createTestUser()];
    await follow(env, bob, alice);
    const [kept, deleted] = await createPosts(alice, 2);
    await waitFor(async () => (await feedIds(env.app, bob)).length === 2, { description: 'both in feed' });
    // Act
    await request(env.app).delete(`/api/posts/${deleted}`).set(alice.auth).expect(200);
    // Assert
    expect(await feedIds(env.app, bob)).toEqual([kept]);
    expect(await feedIds(env.app, alice)).toEqual([kept]);
  });

  test('when Redis lost the feed (flush), then it is served from MongoDB and rebuilt', async () => {
    // Arrange
    const [alice, bob] = [createTestUser(), createTestUser()];
    await follow(env, bob, alice);
    const ids = (await createPosts(alice, 3)).reverse();
    await waitFor(async () => (await feedIds(env.app, bob)).length === 3, { description: 'feed warm' });
    // Act
    await env.redis.del(feedKey(bob), stateKey(bob));
    const res = await getFeed(env.app, bob);
    // Assert
    expect(res.body.posts.map((p) => p.id)).toEqual(ids);
    expect(await env.redis.get(stateKey(bob))).toMatch(/^complete:\d+$/);
    expect(await env.redis.zrevrange(feedKey(bob), 0, -1)).toEqual(ids);
  });

  test('when an author has the threshold of followers, then posts are not fanned out but still appear', async () => {
    // Arrange
    const star = createTestUser();
    const fans = [createTestUser(), createTestUser(), createTestUser()];
    for (const fan of fans) await follow(env, fan, star);
    await getFeed(env.app, fans[0]!); // a warm feed: fan-out would have reached it
    // Act
    const post = await arrange(env.app).createPost(star);
    // Assert
    await waitFor(async () => (await env.posts.exists({ _id: post.id, fanout: 'read' })) !== null, {
      timeoutMs: 1_000,
      description: 'post marked for fan-out on read',
    });
    for (const fan of fans) expect(await feedIds(env.app, fan)).toEqual([post.id]);
    expect(await env.redis.zscore(feedKey(fans[0]!), post.id)).toBeNull();
    expect(await feedIds(env.app, star)).toEqual([post.id]);
  });

  test('when an author is listed as hot, then new posts are merged at read time without counting followers again', async () => {
    // Arrange: listed hot earlier, fewer followers now than the threshold
    const [star, fan] = [createTestUser(), createTestUser()];
    await follow(env, fan, star);
    await env.feeds.restoreHotAuthors([]); // the list is known, so the read below keeps a copy of it
    await getFeed(env.app, fan); // this replica now holds the hot-author list, without star
    await env.feeds.addHotAuthor(star.id); // as another replica's fan-out would
    // Act
    const post = await arrange(env.app).createPost(star);
    // Assert
    await waitFor(async () => (await env.posts.exists({ _id: post.id, fanout: 'read' })) !== null, {
      timeoutMs: 1_000,
      description: 'post marked for fan-out on read',
    });
    expect(await env.redis.zscore(feedKey(fan), post.id)).toBeNull();
    expect(await feedIds(env.app, fan)).toEqual([post.id]);
  });

  test('when Redis lost the list of hot authors, then their posts still appear and the list is restored', async () => {
    // Arrange
    const star = createTestUser();
    const fans = [createTestUser(), createTestUser(), createTestUser()];
    for (const fan of fans) await follow(env, fan, star);
    const post = await arrange(env.app).createPost(star);
    await waitFor(async () => (await env.posts.exists({ _id: post.id, fanout: 'read' })) !== null, {
      description: 'post marked for fan-out on read',
    });
    await getFeed(env.app, fans[0]!);
    // Act
    await env.redis.del(HOT_AUTHORS, HOT_AUTHORS_VERSION); // a flush or an eviction
    const ids = await feedIds(env.app, fans[0]!);
    // Assert
    expect(ids).toEqual([post.id]);
    expect(await env.redis.sismember(HOT_AUTHORS, star.id)).toBe(1);
  });

  test('when a listed author posts again, then the list’s version stays and replicas keep their copy', async () => {
    // Arrange
    const star = createTestUser();
    await env.feeds.addHotAuthor(star.id);
    const version = await env.redis.get(HOT_AUTHORS_VERSION);
    // Act
    await env.feeds.addHotAuthor(star.id);
    // Assert
    expect(version).not.toBeNull();
    expect(await env.redis.get(HOT_AUTHORS_VERSION)).toBe(version);
  });

  test('when a hot author’s and a fanned-out author’s posts interleave, then pages merge them in order', async () => {
    // Arrange
    const [star, friend, fan] = [createTestUser(), createTestUser(), createTestUser()];
    await follow(env, fan, friend);
    for (const f of [fan, createTestUser(), createTestUser()]) await follow(env, f, star);
    await getFeed(env.app, fan);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await arrange(env.app).createPost(star)).id, (await arrange(env.app).createPost(friend)).id);
    }
    await waitFor(async () => (await env.posts.countDocuments({ userId: star.id, fanout: 'read' })) === 3, {
      description: 'hot posts marked',
    });
    await waitFor(async () => (await env.redis.zcard(feedKey(fan))) === 3, { description: 'fanned out' });
    // Act
    const pages = await allPages((q) => getFeed(env.app, fan, q), 2);
    // Assert
    expect(pages.flat()).toEqual([...ids].reverse());
  });

  test('when a page mixes fanned-out and hot posts, then each shows its own likes and the reader’s likedByMe', async () => {
    // Arrange: the fanned-out post's engagement is asked for beside its body, the hot one's after the merge
    const [star, friend, fan, other] = [
      createTestUser(),
      createTestUser(),
      createTestUser(),
      createTestUser(),
    ];
    await follow(env, fan, friend);
    for (const f of [fan, createTestUser(), createTestUser()]) await follow(env, f, star);
    await getFeed(env.app, fan);
    const hot = await arrange(env.app).createPost(star);
    const fanned = await arrange(env.app).createPost(friend);
    await waitFor(async () => (await env.posts.exists({ _id: hot.id, fanout: 'read' })) !== null, {
      description: 'hot post marked',
    });
    await waitFor(async () => (await env.redis.zscore(feedKey(fan), fanned.id)) !== null, {
      description: 'fanned out',
    });
    const like = (user: TestUser, postId: string) =>
      request(env.app).put(`/api/posts/${postId}/like`).set(user.auth).expect(200);
    await like(fan, hot.id);
    await like(other, hot.id);
    await like(other, fanned.id);
    // Act
    const res = await getFeed(env.app, fan);
    // Assert
    expect(res.body.posts).toMatchObject([
      { id: fanned.id, likeCount: 1, commentCount: 0, likedByMe: false },
      { id: hot.id, likeCount: 2, commentCount: 0, likedByMe: true },
    ]);
  });
});

describe('GET /api/posts/feed: a warm page', () => {
  /** The commands clients send for this suite's keys while `act` runs (not those scripts run), per MONITOR. */
  async function redisCommandsDuring(act: () => Promise<unknown>): Promise<string[]> {
    const monitor = await env.redis.monitor();
    const commands: string[] = [];
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      if (source !== 'lua' && args.some((a) => String(a).startsWith(infra.keyPrefix)))
        commands.push(String(args[0]).toLowerCase());
    });
    try {
      await act();
      // MONITOR lines may trail the replies: wait until Redis has answered a command sent after them.
      await env.redis.ping();
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      monitor.disconnect();
    }
    return commands;
  }

  test('when a warm feed is read again, then one Redis command answers it: entries, bodies, likes and likedByMe', async () => {
    // Arrange: bob reads once, which caches every post body and counter his page shows
    const [alice, bob, carol] = [createTestUser(), createTestUser(), createTestUser()];
    await follow(env, bob, alice);
    const [older, newer] = await createPosts(alice, 2);
    await waitFor(async () => (await feedIds(env.app, bob)).length === 2, { description: 'fanned out' });
    const like = (user: TestUser, postId?: string) =>
      request(env.app).put(`/api/posts/${postId}/like`).set(user.auth).expect(200);
    await like(bob, older);
    await like(carol, older);
    await like(carol, newer);
    await getFeed(env.app, bob);
    // Act
    let res: Awaited<ReturnType<typeof getFeed>> | undefined;
    const commands = await redisCommandsDuring(async () => {
      res = await getFeed(env.app, bob);
    });
    // Assert
    expect(commands).toEqual(['evalsha']);
    expect(res?.body.posts).toMatchObject([
      { id: newer, likeCount: 1, likedByMe: false, author: { id: alice.id } },
      { id: older, likeCount: 2, likedByMe: true, author: { id: alice.id } },
    ]);
  });

  test('when posts share a millisecond across page boundaries, then every cached page shows each once, with its own body and likes', async () => {
    // Arrange: five posts at one instant, their feed rebuilt with equal scores, then every page read once (which
    // caches the bodies and counters the next pass reads beside the entries)
    const [alice, bob, carol] = [createTestUser(), createTestUser(), createTestUser()];
    await follow(env, bob, alice);
    const posts = await Promise.all(Array.from({ length: 5 }, () => arrange(env.app).createPost(alice)));
    const ids = posts.map((p) => p.id);
    await env.posts.updateMany({ _id: { $in: ids } }, { $set: { createdAt: new Date() } });
    await env.redis.del(...ids.map((id) => `post:${id}`), feedKey(bob), stateKey(bob));
    const likes = new Map(ids.map((id, i) => [id, i % 3]));
    for (const [id, n] of likes)
      for (const user of [bob, carol].slice(0, n))
        await request(env.app).put(`/api/posts/${id}/like`).set(user.auth).expect(200);
    const pageOf = (query: string) => getFeed(env.app, bob, query);
    await allPages(pageOf, 2);
    // Act
    const served: ListReply['body']['posts'] = [];
    await allPages(async (query) => {
      const res = await pageOf(query);
      served.push(...res.body.posts);
      return res;
    }, 2);
    // Assert
    expect(served.map((p) => p.id)).toEqual([...ids].sort().reverse());
    for (const post of served) {
      expect(post.content).toBe(posts.find((p) => p.id === post.id)?.content);
      expect(post.likeCount).toBe(likes.get(post.id));
      expect(post.likedByMe).toBe((likes.get(post.id) ?? 0) > 0);
    }
  });
});

describe('GET /api/posts/feed: the cached followee list', () => {
  test('when bob’s feed was read, then his followees are cached and the next read answers from Redis', async () => {
    // Arrange
    const [alice, bob] = [createTestUser(), createTestUser()];
    await follow(env, bob, alice);
    const post = await arrange(env.app).createPost(alice);
    await waitFor(async () => (await feedIds(env.app, bob)).includes(post.id), { description: 'in feed' });
    // Act: the edge disappears behind the cache's back (no event): only the cached list still has alice
    await env.follows.deleteMany({ followerId: bob.id });
    const ids = await feedIds(env.app, bob);
    // Assert
    expect(await env.redis.get(followingKey(bob))).toMatch(new RegExp(`^\\d+\\|${alice.id}$`));
    expect(await env.redis.ttl(followingKey(bob))).toBeGreaterThan(0);
    expect(ids).toEqual([post.id]);
  });

  test('when bob follows carol after his followees were cached, then her earlier posts appear on the next read', async () => {
    // Arrange
    const [alice, bob, carol] = [createTestUser(), createTestUser(), createTestUser()];
    await follow(env, bob, alice);
    const older = await arrange(env.app).createPost(carol);
    const post = await arrange(env.app).createPost(alice);
    await waitFor(async () => (await feedIds(env.app, bob)).includes(post.id), { description: 'in feed' });
    // Act
    await follow(env, bob, carol);
    // Assert
    expect(await feedIds(env.app, bob)).toEqual([post.id, older.id]);
  });

  test('when a follow lands while a read loads the followees, then that read’s older list is not kept', async () => {
    // Arrange
    const bob = createTestUser();
    const cache = createFollowingCache({
      redis: env.redis,
      log: silentLogger('post-service'),
      registry: createMetrics('post-service', { defaultMetrics: false }).registry,
    });
    const before = { followeeIds: ['a'.repeat(24)], lastFollowedAt: 1 };
    // Act: the follow consumer forgets bob's list between the read's claim and its fill
    const served = await cache.get(bob.id, async () => {
      await cache.forget([bob.id]);
      return before;
    });
    // Assert
    expect(served).toEqual(before);
    expect(await env.redis.exists(followingKey(bob))).toBe(0);
    const after = { followeeIds: [], lastFollowedAt: undefined };
    expect(await cache.get(bob.id, async () => after)).toEqual(after);
    expect(await cache.get(bob.id, async () => before)).toEqual(after);
  });
});

describe('GET /api/posts/feed beyond the Redis cap', () => {
  let capped: PostTestEnv;
  let cappedInfra: PostTestInfra;
  beforeAll(async () => {
    cappedInfra = await startInfra();
    capped = await startPostApp(cappedInfra, { feedMaxEntries: 3 });
  });
  afterAll(async () => {
    await capped.close();
    await stopInfra(cappedInfra);
  });

  test('when a feed holds more posts than the cap, then older pages come from MongoDB, in order', async () => {
    // Arrange
    const alice = createTestUser();
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push((await arrange(capped.app).createPost(alice)).id);
    // Act
    const pages = await allPages((q) => getFeed(capped.app, alice, q), 2);
    // Assert
    expect(pages.flat()).toEqual([...ids].reverse());
    expect(await capped.redis.zcard(`feed:{${alice.id}}`)).toBe(3);
    expect(await capped.redis.get(`feed:{${alice.id}}:state`)).toMatch(/^capped:\d+$/);
  });
});
