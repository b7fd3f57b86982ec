import request from 'supertest';
import { EventTypes } from '@social/common/events';
import { createTestUser, probeQueue, type QueueProbe } from '@social/testkit/helpers';
import { arrange } from './support/post-data';
import {
  RABBITMQ_URL,
  startInfra,
  startPostApp,
  stopInfra,
  type PostTestEnv,
  type PostTestInfra,
} from './support/post-app';
import { deliver, feedIds, follow, followEvent, getFeed, userDeletedEvent } from './support/user-events';

let infra: PostTestInfra;
let env: PostTestEnv;
let probe: QueueProbe;

beforeAll(async () => {
  infra = await startInfra();
  env = await startPostApp(infra, { startRelay: true });
  probe = await probeQueue(RABBITMQ_URL, env.exchange, [EventTypes.PostDeleted]);
});
afterAll(async () => {
  await probe.close();
  await env.close();
  await stopInfra(infra);
});

describe('queue post-service.user-deleted: user.deleted', () => {
  test('when alice’s account is deleted, then her posts go through the delete path and publish post.deleted', async () => {
    // Arrange
    const [alice, bob] = [createTestUser(), createTestUser()];
    const posts = [await arrange(env.app).createPost(alice), await arrange(env.app).createPost(alice)];
    const bobs = await arrange(env.app).createPost(bob);
    // Act
    await deliver(env, env.queues.userDeleted, userDeletedEvent(alice));
    // Assert
    for (const post of posts) await request(env.app).get(`/api/posts/${post.id}`).set(bob.auth).expect(404);
    await request(env.app).get(`/api/posts/${bobs.id}`).set(bob.auth).expect(200);
    const published = [await probe.next(), await probe.next()].map((m) => m.body);
    expect(published).toEqual(
      expect.arrayContaining(
        posts.map((p) =>
          expect.objectContaining({
            type: 'post.deleted',
            data: { postId: p.id, userId: alice.id, mediaIds: [] },
          }),
        ),
      ),
    );
  });

  test('when alice is deleted, then her edges, author record and feed go, and followers’ feeds drop her posts', async () => {
    // Arrange
    const [alice, bob] = [createTestUser(), createTestUser()];
    await follow(env, bob, alice);
    await follow(env, alice, bob);
    const post = await arrange(env.app).createPost(alice);
    await getFeed(env.app, alice);
    expect(await feedIds(env.app, bob)).toEqual([post.id]);
    expect(await env.redis.exists(`feed:{${alice.id}}:following`)).toBe(1);
    // Act
    await deliver(env, env.queues.userDeleted, userDeletedEvent(alice));
    // Assert
    expect(
      await env.follows.countDocuments({ $or: [{ followerId: alice.id }, { followeeId: alice.id }] }),
    ).toBe(0);
    expect(await env.authors.findById(alice.id).lean()).toMatchObject({ deleted: true });
    expect(
      await env.redis.exists(
        `feed:{${alice.id}}`,
        `feed:{${alice.id}}:state`,
        `feed:{${alice.id}}:following`,
      ),
    ).toBe(0);
    expect(await feedIds(env.app, bob)).toEqual([]);
  });

  test('when carol is deleted, then her likes and comments on others’ posts go and their counts drop', async () => {
    // Arrange
    const [bob, carol, dave] = [createTestUser(), createTestUser(), createTestUser()];
    const post = await arrange(env.app).createPost(bob);
    for (const user of [carol, dave]) {
      await request(env.app).put(`/api/posts/${post.id}/like`).set(user.auth).expect(200);
      await request(env.app)
        .post(`/api/posts/${post.id}/comments`)
        .set(user.auth)
        .send({ content: `from ${user.username}` })
        .expect(201);
    }
    // Act
    await deliver(env, env.queues.userDeleted, userDeletedEvent(carol));
    // Assert
    const res = await request(env.app).get(`/api/posts/${post.id}`).set(bob.auth).expect(200);
    expect(res.body.post).toMatchObject({ likeCount: 1, commentCount: 1 });
    const comments = await request(env.app).get(`/api/posts/${post.id}/comments`).set(bob.auth).expect(200);
    expect(comments.body.comments.map((c: { userId: string }) => c.userId)).toEqual([dave.id]);
  });

  test('when user.deleted is delivered twice, then the second delivery changes nothing and succeeds', async () => {
    // Arrange
    const alice = createTestUser();
    await arrange(env.app).createPost(alice);
    const event = userDeletedEvent(alice);
    // Act
    await deliver(env, env.queues.userDeleted, event, event);
    // Assert
    expect(await env.posts.countDocuments({ userId: alice.id, deletedAt: null })).toBe(0);
  });

  test('when a user.followed about a deleted account arrives late, then no edge comes back', async () => {
    // Arrange
    const [alice, bob] = [createTestUser(), createTestUser()];
    await deliver(env, env.queues.userDeleted, userDeletedEvent(alice));
    // Act
    await deliver(env, env.queues.userProjection, followEvent(bob, alice));
    // Assert
    expect(await env.follows.countDocuments({ followerId: bob.id, followeeId: alice.id })).toBe(0);
  });
});
