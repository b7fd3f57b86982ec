import request from 'supertest';
import { EventTypes } from '@social/common/events';
import { captureLogger, createTestUser, probeQueue, waitFor, type QueueProbe } from '@social/testkit/helpers';
import { buildPostInput } from './support/post-data';
import {
  RABBITMQ_URL,
  startInfra,
  startPostApp,
  stopInfra,
  type PostTestEnv,
  type PostTestInfra,
} from './support/post-app';

let infra: PostTestInfra;
let env: PostTestEnv;
let probe: QueueProbe;
const alice = createTestUser();
const captured = captureLogger('post-service');

beforeAll(async () => {
  infra = await startInfra();
  env = await startPostApp(infra, { log: captured.log });
  probe = await probeQueue(RABBITMQ_URL, infra.exchange, [EventTypes.PostCreated, EventTypes.PostDeleted]);
});
afterAll(async () => {
  await probe.close();
  await env.close();
  await stopInfra(infra);
});

const messagesFor = (postId: string) =>
  probe.received.filter((m) => (m.body as { data: { postId: string } }).data.postId === postId);

describe('post.created', () => {
  test('when a post is created, then post.created is published with the request id as correlation id', async () => {
    const mediaIds = [env.mediaService.add(alice).id];

    const res = await request(env.app)
      .post('/api/posts/create-post')
      .set(alice.auth)
      .set('x-request-id', 'req-created-42')
      .send(buildPostInput({ content: 'hello events', mediaIds }));

    const msg = await probe.next();
    const post = res.body.post;
    expect(msg).toEqual({
      routingKey: 'post.created',
      properties: expect.objectContaining({
        messageId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        correlationId: 'req-created-42',
        deliveryMode: 2,
        type: 'post.created',
        contentType: 'application/json',
        appId: 'post-service',
      }),
      body: {
        id: msg.properties.messageId,
        type: 'post.created',
        occurredAt: expect.any(String),
        data: {
          postId: post.id,
          userId: alice.id,
          content: 'hello events',
          mediaIds,
          createdAt: post.createdAt,
        },
      },
    });
  });

  test('when the relay runs again after a publish, then nothing is published twice', async () => {
    const first = await request(env.app)
      .post('/api/posts/create-post')
      .set(alice.auth)
      .send(buildPostInput());
    await waitFor(() => messagesFor(first.body.post.id).length === 1, { description: 'first post.created' });

    await env.relay.runOnce();
    // Messages on one queue arrive in order: once the next post's event is here, a duplicate would be too.
    const second = await request(env.app)
      .post('/api/posts/create-post')
      .set(alice.auth)
      .send(buildPostInput());
    await waitFor(() => messagesFor(second.body.post.id).length === 1, {
      description: 'second post.created',
    });

    expect(messagesFor(first.body.post.id)).toHaveLength(1);
    // The broker delivers to the probe before the relay, on the confirm, clears the post's pending event.
    await waitFor(async () => (await env.relay.backlog()) === 0, { description: 'relay backlog cleared' });
    expect(messagesFor(first.body.post.id)).toHaveLength(1);
    expect(messagesFor(second.body.post.id)).toHaveLength(1);
  });
});

describe('post.deleted', () => {
  test('when the author deletes, then post.deleted carries the post’s media ids and the request id', async () => {
    const mediaIds = [env.mediaService.add(alice).id, env.mediaService.add(alice).id];
    const created = await request(env.app)
      .post('/api/posts/create-post')
      .set(alice.auth)
      .send(buildPostInput({ mediaIds }));
    const postId = created.body.post.id as string;
    await waitFor(() => messagesFor(postId).length === 1, { description: 'post.created' });

    await request(env.app)
      .delete(`/api/posts/${postId}`)
      .set(alice.auth)
      .set('x-request-id', 'req-del-7')
      .expect(200);

    const deleted = await waitFor(() => messagesFor(postId).find((m) => m.routingKey === 'post.deleted'));
    expect(deleted).toEqual({
      routingKey: 'post.deleted',
      properties: expect.objectContaining({
        messageId: expect.any(String),
        correlationId: 'req-del-7',
        deliveryMode: 2,
        type: 'post.deleted',
        appId: 'post-service',
      }),
      body: {
        id: deleted.properties.messageId,
        type: 'post.deleted',
        occurredAt: expect.any(String),
        data: { postId, userId: alice.id, mediaIds },
      },
    });
  });

  test('when post.deleted was confirmed, then the post document and its outbox are gone', async () => {
    const created = await request(env.app)
      .post('/api/posts/create-post')
      .set(alice.auth)
      .send(buildPostInput());
    const postId = created.body.post.id as string;

    await request(env.app).delete(`/api/posts/${postId}`).set(alice.auth).expect(200);

    await waitFor(async () => (await env.posts.countDocuments({ _id: postId })) === 0, {
      description: 'soft-deleted post removed by the relay',
    });
    expect(messagesFor(postId).map((m) => m.routingKey)).toEqual(['post.created', 'post.deleted']);
  });

  test('when someone else tries to delete, then no post.deleted is published', async () => {
    const bob = createTestUser();
    const created = await request(env.app)
      .post('/api/posts/create-post')
      .set(alice.auth)
      .send(buildPostInput());
    const postId = created.body.post.id as string;
    await waitFor(() => messagesFor(postId).length === 1, { description: 'post.created' });

    await request(env.app).delete(`/api/posts/${postId}`).set(bob.auth).expect(404);

    await env.relay.runOnce();
    const marker = await request(env.app)
      .post('/api/posts/create-post')
      .set(alice.auth)
      .send(buildPostInput());
    await waitFor(() => messagesFor(marker.body.post.id).length === 1, {
      description: 'marker post.created',
    });
    expect(messagesFor(postId).map((m) => m.routingKey)).toEqual(['post.created']);
  });
});

describe('observability', () => {
  test('when a post is created and deleted, then both are logged with the request id and the author', async () => {
    const created = await request(env.app)
      .post('/api/posts/create-post')
      .set(alice.auth)
      .set('x-request-id', 'req-log-1')
      .send(buildPostInput());
    const postId = created.body.post.id as string;

    await request(env.app)
      .delete(`/api/posts/${postId}`)
      .set(alice.auth)
      .set('x-request-id', 'req-log-2')
      .expect(200);

    expect(captured.lines).toContainEqual(
      expect.objectContaining({ message: 'post created', postId, requestId: 'req-log-1', userId: alice.id }),
    );
    expect(captured.lines).toContainEqual(
      expect.objectContaining({ message: 'post deleted', postId, requestId: 'req-log-2', userId: alice.id }),
    );
  });

  test('when events were confirmed, then /metrics counts them and shows an empty outbox', async () => {
    const created = await request(env.app)
      .post('/api/posts/create-post')
      .set(alice.auth)
      .send(buildPostInput());
    await waitFor(() => messagesFor(created.body.post.id).length === 1, { description: 'post.created' });
    await waitFor(async () => (await env.relay.backlog()) === 0, { description: 'empty outbox' });

    const res = await request(env.internal).get('/metrics');

    expect(res.text).toMatch(/events_published_total\{type="post.created"[^}]*\} [1-9]/);
    expect(res.text).toMatch(/outbox_events_relayed_total\{type="post.created"[^}]*\} [1-9]/);
    expect(res.text).toMatch(/^outbox_backlog\{[^}]*\} 0$/m);
  });
});
