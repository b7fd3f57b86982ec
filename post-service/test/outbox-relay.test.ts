import request from 'supertest';
import { EventTypes, newIntegrationEvent } from '@social/common/events';
import { Registry } from '@social/common/metrics';
import {
  captureLogger,
  createTestUser,
  newObjectId,
  probeQueue,
  type QueueProbe,
  waitFor,
} from '@social/testkit/helpers';
import { createOutboxRelay } from '../src/events/outbox-relay';
import { insertPostWithEvent } from '../src/models/post.model';
import { buildPostInput } from './support/post-data';
import {
  CLOSED_RABBITMQ_URL,
  RABBITMQ_URL,
  startInfra,
  startPostApp,
  stopInfra,
  type PostTestEnv,
  type PostTestInfra,
} from './support/post-app';

const alice = createTestUser();

const backlogIn = (metricsText: string): number =>
  Number(/^outbox_backlog(?:\{[^}]*\})? (\d+)$/m.exec(metricsText)?.[1] ?? NaN);

describe('outbox relay with the broker down', () => {
  let infra: PostTestInfra;
  let down: PostTestEnv;
  let up: PostTestEnv | undefined;
  let probe: QueueProbe;
  const captured = captureLogger('post-service');

  beforeAll(async () => {
    infra = await startInfra();
    down = await startPostApp(infra, { rabbitmqUrl: CLOSED_RABBITMQ_URL, log: captured.log });
    probe = await probeQueue(RABBITMQ_URL, infra.exchange, [EventTypes.PostCreated, EventTypes.PostDeleted]);
  });
  afterAll(async () => {
    await probe.close();
    await up?.close();
    await down.close();
    await stopInfra(infra);
  });

  test('when the broker is unreachable, then create and delete still succeed and the events wait in the outbox', async () => {
    const kept = await request(down.app)
      .post('/api/posts/create-post')
      .set(alice.auth)
      .send(buildPostInput());
    const removed = await request(down.app)
      .post('/api/posts/create-post')
      .set(alice.auth)
      .send(buildPostInput());
    const deleted = await request(down.app).delete(`/api/posts/${removed.body.post.id}`).set(alice.auth);

    expect([kept.status, removed.status, deleted.status]).toEqual([201, 201, 200]);
    await down.relay.runOnce();
    expect(await down.relay.backlog()).toBe(3);
    await request(down.app).get(`/api/posts/${removed.body.post.id}`).set(alice.auth).expect(404);
  });

  test('when events are pending, then /metrics and /ready show the backlog; the broker being away only degrades', async () => {
    const metrics = await request(down.internal).get('/metrics');
    const ready = await request(down.internal).get('/ready');

    expect(backlogIn(metrics.text)).toBe(3);
    expect(metrics.text).toMatch(/outbox_relay_failures_total\{stage="publish"[^}]*\} [1-9]/);
    expect(ready).toMatchObject({
      status: 200,
      body: {
        status: 'degraded',
        checks: { mongo: 'up', redis: 'up', rabbitmq: 'down' },
        details: { outboxBacklog: 3 },
      },
    });
  });

  test('when publishing fails repeatedly, then it is warned about once', async () => {
    await down.relay.runOnce();
    await down.relay.runOnce();

    const warnings = captured.lines.filter((l) => l.message === 'outbox publish failed, events stay pending');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: 'warn', eventId: expect.any(String) });
  });

  test('when the broker is reachable again, then every pending event goes out once, in order, and the backlog empties', async () => {
    const pending = await down.posts.find({}, { pendingEvents: 1 }).lean();
    const expected = pending.flatMap((p) => p.pendingEvents.map((e) => e.id));

    up = await startPostApp(infra, { startRelay: true }); // same database and exchange, a working broker

    await waitFor(() => probe.received.length >= 3, { description: 'three events after recovery' });
    await waitFor(async () => (await up!.relay.backlog()) === 0, { description: 'empty outbox' });
    expect(probe.received.map((m) => m.properties.messageId)).toEqual(expected);
    expect(probe.received.map((m) => m.routingKey)).toEqual(['post.created', 'post.created', 'post.deleted']);
    expect(await up.posts.countDocuments({ deletedAt: { $ne: null } })).toBe(0);
    expect(await up.posts.countDocuments({ 'pendingEvents.0': { $exists: true } })).toBe(0);
    expect(backlogIn((await request(up.internal).get('/metrics')).text)).toBe(0);
  });
});

describe('outbox relay passes', () => {
  let infra: PostTestInfra;
  let env: PostTestEnv;
  let probe: QueueProbe;

  beforeAll(async () => {
    infra = await startInfra();
    env = await startPostApp(infra);
    probe = await probeQueue(RABBITMQ_URL, infra.exchange, [EventTypes.PostCreated]);
  });
  afterAll(async () => {
    await probe.close();
    await env.close();
    await stopInfra(infra);
  });

  test('when more posts wait than one batch holds, then one run drains them all', async () => {
    await env.relay.stop(); // nothing goes out until the pass below
    for (let i = 0; i < 5; i++) {
      await request(env.app)
        .post('/api/posts/create-post')
        .set(alice.auth)
        .send(buildPostInput())
        .expect(201);
    }
    expect(await env.relay.backlog()).toBe(5);

    await env.relay.runOnce(); // batch size is 2 in tests

    expect(await env.relay.backlog()).toBe(0);
    await waitFor(() => probe.received.length === 5, { description: 'five post.created' });
  });

  test('when runs are requested during a pass, then passes never overlap and nothing is sent twice', async () => {
    const before = probe.received.length;
    const ids: string[] = [];

    await Promise.all(
      Array.from({ length: 6 }, async () => {
        const res = await request(env.app)
          .post('/api/posts/create-post')
          .set(alice.auth)
          .send(buildPostInput());
        ids.push(res.body.post.id);
      }),
    );
    await Promise.all([env.relay.runOnce(), env.relay.runOnce(), env.relay.runOnce()]);

    await waitFor(() => probe.received.length >= before + 6, { description: 'six post.created' });
    await env.relay.runOnce();
    const marker = await request(env.app)
      .post('/api/posts/create-post')
      .set(alice.auth)
      .send(buildPostInput());
    await env.relay.runOnce();
    await waitFor(() =>
      probe.received.some(
        (m) => (m.body as { data: { postId: string } }).data.postId === marker.body.post.id,
      ),
    );
    const published = probe.received
      .slice(before)
      .map((m) => (m.body as { data: { postId: string } }).data.postId);
    expect(published.sort()).toEqual([...ids, marker.body.post.id].sort());
  });
  /** A relay of the test's own on the posts collection: no interval, so only kicks and runOnce() publish. */
  const ownRelay = (bus: Pick<PostTestEnv['bus'], 'publish'> = env.bus) =>
    createOutboxRelay({
      posts: env.posts,
      likes: env.likes,
      comments: env.comments,
      bus,
      log: captureLogger('post-service').log,
      registry: new Registry(),
      intervalMs: 60_000,
      batchSize: 10,
    });
  const writePost = () =>
    insertPostWithEvent(env.posts, { userId: alice.id, content: 'kicked', mediaIds: [], media: [] });
  const publishedFor = (postId: string): number =>
    probe.received.filter((m) => (m.body as { data: { postId: string } }).data.postId === postId).length;

  test('when a kick names the written post, then its event goes out without a pass, once', async () => {
    const relay = ownRelay();
    const post = await writePost();

    relay.kick(post._id);

    await waitFor(() => publishedFor(post._id.toHexString()) === 1, {
      description: 'the kicked post.created',
    });
    await waitFor(async () => (await relay.backlog()) === 0, { description: 'empty outbox' });
    await relay.runOnce();
    expect(publishedFor(post._id.toHexString())).toBe(1);
    await relay.stop();
  });

  test('when a pass runs while a kicked post is being published, then the pass leaves it alone and it goes out once', async () => {
    // Arrange: every publish of this relay waits at a gate, so the kicked post stays in hand (its lease is ours).
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const relay = ownRelay({ publish: async (event) => gate.then(() => env.bus.publish(event)) });
    const post = await writePost();
    relay.kick(post._id);
    await waitFor(
      async () =>
        (await env.posts.findById(post._id, { outboxClaim: 1 }).lean())?.outboxClaim?.owner === relay.owner,
      { description: 'the kick holds the post' },
    );

    // Act: a pass while the kick waits; it must neither publish the post nor wait for the gate.
    await relay.runOnce();
    open();

    // Assert
    await waitFor(async () => (await relay.backlog()) === 0, { description: 'empty outbox' });
    await relay.stop();
    await relay.runOnce();
    await waitFor(() => publishedFor(post._id.toHexString()) >= 1, { description: 'the post.created' });
    expect(publishedFor(post._id.toHexString())).toBe(1);
  });

  test('when a stored event breaks the contract, then it is parked and the events behind it still go out', async () => {
    const captured = captureLogger('post-service');
    const relay = createOutboxRelay({
      posts: env.posts,
      likes: env.likes,
      comments: env.comments,
      bus: env.bus,
      log: captured.log,
      registry: new Registry(),
      intervalMs: 1000,
      batchSize: 10,
    });
    const poison = newIntegrationEvent(EventTypes.PostCreated, {
      postId: newObjectId(),
      userId: 'not-an-object-id',
      content: 'x',
      mediaIds: [],
      createdAt: new Date().toISOString(),
    });
    const stuck = await env.posts.create({
      userId: 'not-an-object-id',
      content: 'x',
      pendingEvents: [poison],
    });
    const good = await request(env.app).post('/api/posts/create-post').set(alice.auth).send(buildPostInput());

    await relay.runOnce();

    await waitFor(() =>
      probe.received.some(
        (m) =>
          (m.body as { id: string }).id !== poison.id &&
          (m.body as { data: { postId: string } }).data.postId === good.body.post.id,
      ),
    );
    expect(await relay.backlog()).toBe(0);
    const parked = await env.posts.findById(stuck._id).lean();
    expect(parked?.failedEvents).toEqual([
      expect.objectContaining({ id: poison.id, reason: expect.stringContaining('userId') }),
    ]);
    expect(captured.lines).toContainEqual(expect.objectContaining({ level: 'error', eventId: poison.id }));
    expect(probe.received.map((m) => (m.body as { id: string }).id)).not.toContain(poison.id);
  });
});
