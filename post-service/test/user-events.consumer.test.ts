import amqp from 'amqplib';
import request from 'supertest';
import { EventTypes } from '@social/common/events';
import { createTestUser, waitFor } from '@social/testkit/helpers';
import { arrange } from './support/post-data';
import {
  RABBITMQ_URL,
  startInfra,
  startPostApp,
  stopInfra,
  type PostTestEnv,
  type PostTestInfra,
} from './support/post-app';
import { consumedCount, deliver, feedIds, followEvent, getFeed, profileEvent } from './support/user-events';

let infra: PostTestInfra;
let env: PostTestEnv;

beforeAll(async () => {
  infra = await startInfra();
  env = await startPostApp(infra);
});
afterAll(async () => {
  await env.close();
  await stopInfra(infra);
});

const edgeOf = (follower: { id: string }, followee: { id: string }) =>
  env.follows.findOne({ followerId: follower.id, followeeId: followee.id }).lean();
/** What a buggy producer might send: the common bus validates, so this goes around it. */
async function publishRaw(routingKey: string, body: unknown): Promise<void> {
  const conn = await amqp.connect(RABBITMQ_URL);
  try {
    const ch = await conn.createConfirmChannel();
    ch.publish(env.exchange, routingKey, Buffer.from(JSON.stringify(body)), {
      persistent: true,
      type: routingKey,
    });
    await ch.waitForConfirms();
  } finally {
    await conn.close();
  }
}
const seconds = (s: number): Date => new Date(Date.UTC(2026, 11, 1, 12, 0, s));

describe('queue post-service.user-projection: user.followed / user.unfollowed', () => {
  test('when user.followed arrives, then the edge is stored and the follower’s feed shows the followee', async () => {
    // Arrange
    const [alice, bob] = [createTestUser(), createTestUser()];
    const post = await arrange(env.app).createPost(alice);
    await getFeed(env.app, bob); // bob's feed is warm, without alice
    // Act
    await deliver(env, env.queues.userProjection, followEvent(bob, alice, { at: seconds(1) }));
    // Assert
    expect(await edgeOf(bob, alice)).toMatchObject({ active: true, at: seconds(1) });
    expect(await feedIds(env.app, bob)).toEqual([post.id]);
  });

  test('when the same user.followed is delivered twice, then there is one active edge', async () => {
    // Arrange
    const [alice, bob] = [createTestUser(), createTestUser()];
    const event = followEvent(bob, alice);
    // Act
    await deliver(env, env.queues.userProjection, event, event);
    // Assert
    expect(await env.follows.countDocuments({ followerId: bob.id, followeeId: alice.id, active: true })).toBe(
      1,
    );
  });

  test('when user.followed arrives after a later user.unfollowed, then the edge stays inactive', async () => {
    // Arrange
    const [alice, bob] = [createTestUser(), createTestUser()];
    await arrange(env.app).createPost(alice);
    // Act: the unfollow (t=2) overtook the follow (t=1)
    await deliver(
      env,
      env.queues.userProjection,
      followEvent(bob, alice, { active: false, at: seconds(2) }),
      followEvent(bob, alice, { at: seconds(1) }),
    );
    // Assert
    expect(await edgeOf(bob, alice)).toMatchObject({ active: false, at: seconds(2) });
    expect(await feedIds(env.app, bob)).toEqual([]);
  });

  test('when follow, unfollow and follow again arrive shuffled, then the latest (following) wins', async () => {
    const [alice, bob] = [createTestUser(), createTestUser()];

    await deliver(
      env,
      env.queues.userProjection,
      followEvent(bob, alice, { at: seconds(3) }),
      followEvent(bob, alice, { at: seconds(1) }),
      followEvent(bob, alice, { active: false, at: seconds(2) }),
    );

    expect(await edgeOf(bob, alice)).toMatchObject({ active: true, at: seconds(3) });
  });

  test('when a follow event is malformed, then it is dead-lettered and the consumer keeps going', async () => {
    // Arrange
    const [alice, bob] = [createTestUser(), createTestUser()];
    const bad = { ...followEvent(bob, alice), data: { followerId: 'nope', followeeId: alice.id } };
    const deadBefore = await consumedCount(env, env.queues.userProjection, EventTypes.UserFollowed, 'dead');
    // Act
    await publishRaw(EventTypes.UserFollowed, bad);
    await deliver(env, env.queues.userProjection, followEvent(bob, alice));
    // Assert
    await waitFor(
      async () =>
        (await consumedCount(env, env.queues.userProjection, EventTypes.UserFollowed, 'dead')) ===
        deadBefore + 1,
      { description: 'malformed event dead-lettered' },
    );
    expect(await edgeOf(bob, alice)).toMatchObject({ active: true });
  });
});

describe('queue post-service.user-projection: user.registered / user.updated', () => {
  test('when user.registered then user.updated arrive, then posts show the updated author', async () => {
    // Arrange
    const alice = createTestUser();
    const post = await arrange(env.app).createPost(alice);
    // Act
    await deliver(
      env,
      env.queues.userProjection,
      profileEvent(alice, { registered: true, occurredAt: seconds(1) }),
      profileEvent(alice, { displayName: 'Alice A.', occurredAt: seconds(2) }),
    );
    // Assert
    const res = await request(env.app).get(`/api/posts/${post.id}`).set(alice.auth);
    expect(res.body.post.author).toEqual({ id: alice.id, username: alice.username, displayName: 'Alice A.' });
  });

  test('when an older user.updated arrives after a newer one, or twice, then the newer profile stays', async () => {
    // Arrange
    const alice = createTestUser();
    const older = profileEvent(alice, { displayName: 'Old name', occurredAt: seconds(1) });
    const newer = profileEvent(alice, { displayName: 'New name', occurredAt: seconds(2) });
    // Act
    await deliver(env, env.queues.userProjection, newer, older, older, newer);
    // Assert
    expect(await env.authors.findById(alice.id).lean()).toMatchObject({
      displayName: 'New name',
      version: seconds(2),
    });
  });

  test('when a profile arrives for an author whose posts are listed, then every list shows the new name', async () => {
    // Arrange
    const alice = createTestUser();
    await arrange(env.app).createPost(alice);
    // Act
    await deliver(env, env.queues.userProjection, profileEvent(alice, { displayName: 'Renamed' }));
    // Assert
    const [feed, byUser, all] = await Promise.all([
      request(env.app).get('/api/posts/feed').set(alice.auth),
      request(env.app).get(`/api/posts/by-user/${alice.id}`).set(alice.auth),
      request(env.app).get('/api/posts/all-posts?limit=50').set(alice.auth),
    ]);
    for (const posts of [feed.body.posts, byUser.body.posts, all.body.posts] as Array<
      Array<{ userId: string; author: { displayName: string } }>
    >)
      expect(posts.find((p) => p.userId === alice.id)?.author.displayName).toBe('Renamed');
  });
});
