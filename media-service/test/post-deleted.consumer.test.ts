import { access } from 'node:fs/promises';
import path from 'node:path';
import amqp, { type Channel, type ChannelModel } from 'amqplib';
import request from 'supertest';
import {
  consumerQueueNames,
  createEventBus,
  deadLetterExchangeName,
  deadLetterQueueName,
  EventTypes,
  newIntegrationEvent,
  type EventBus,
  type PostDeletedData,
} from '@social/common/events';
import { runWithContext } from '@social/common/logger';
import { createMetrics } from '@social/common/metrics';
import { startMongo, type TestMongo } from '@social/testkit';
import {
  buildPostDeleted,
  createTestUser,
  newObjectId,
  silentLogger,
  uniqueName,
  waitFor,
  type TestUser,
} from '@social/testkit/helpers';
import { mediaSubscriptions } from '../src/events/subscriptions';
import type { MediaStorage } from '../src/storage/media-storage';
import { gif, png } from './support/fixtures';
import { createMediaTestEnv, type MediaTestApp } from './support/media-test-app';

const RABBITMQ_URL = 'amqp://guest:guest@127.0.0.1:5672';
const RETRY = { maxAttempts: 2, backoffMs: [50] };
const exchange = uniqueName('ex');
const queue = uniqueName('media-service.post-deleted');
const userQueue = uniqueName('media-service.user-deleted');

let mongo: TestMongo;
let env: Awaited<ReturnType<typeof createMediaTestEnv>>;
let t: MediaTestApp;
let bus: EventBus;
let publisher: EventBus;
let amqpConn: ChannelModel;
let ch: Channel;
/** key → how many more removes of it fail (Infinity: always). */
const failingRemoves = new Map<string, number>();

beforeAll(async () => {
  mongo = await startMongo();
  env = await createMediaTestEnv(mongo.uri);
  t = env.build();
  // The local driver, except that chosen keys fail to delete: stands in for a storage outage.
  const flakyLocal: MediaStorage = {
    name: 'local',
    put: (input) => env.local.put(input),
    remove: async (object) => {
      const left = failingRemoves.get(object.key) ?? 0;
      if (left > 0) {
        failingRemoves.set(object.key, left - 1);
        throw new Error('storage outage');
      }
      await env.local.remove(object);
    },
  };
  const registry = createMetrics('media-service', { defaultMetrics: false }).registry;
  bus = createEventBus({
    url: RABBITMQ_URL,
    appId: 'media-service',
    log: env.logs.log,
    exchange,
    registry,
    retry: RETRY,
    runInContext: (ctx, fn) => runWithContext({ requestId: ctx.requestId }, fn),
  });
  await bus.connect();
  for (const subscription of mediaSubscriptions({
    media: env.media,
    storages: { active: flakyLocal, byName: { local: flakyLocal } },
    log: env.logs.log,
    registry,
    queues: { postDeleted: queue, userDeleted: userQueue },
  })) {
    await bus.subscribe(subscription);
  }
  publisher = createEventBus({ url: RABBITMQ_URL, appId: 'post-service', log: silentLogger(), exchange });
  await publisher.connect();
  amqpConn = await amqp.connect(RABBITMQ_URL);
  ch = await amqpConn.createChannel();
});

afterAll(async () => {
  await Promise.all([bus.close(), publisher.close()]);
  for (const q of [queue, userQueue]) {
    for (const name of consumerQueueNames(q, RETRY.backoffMs)) await ch.deleteQueue(name);
  }
  await ch.deleteExchange(exchange);
  await ch.deleteExchange(deadLetterExchangeName(exchange));
  await amqpConn.close();
  await env.close();
  await mongo.stop();
});

const uploadAs = async (user: TestUser, bytes = png()): Promise<{ id: string; key: string }> => {
  const res = await request(t.app).post('/api/media/upload').set(user.auth).attach('file', bytes, 'a.png');
  expect(res.status).toBe(201);
  const record = await env.media.findById(res.body.mediaId).lean();
  return { id: res.body.mediaId as string, key: record!.key };
};

const publishDeleted = (data: PostDeletedData, correlationId = uniqueName('req')) =>
  publisher.publish(buildPostDeleted(data, { correlationId }));
const exists = (key: string) =>
  access(path.join(env.local.dir, key)).then(
    () => true,
    () => false,
  );
const dlqCount = async () => (await ch.checkQueue(deadLetterQueueName(queue))).messageCount;
const handledLines = (id: string) =>
  env.logs.lines.filter((l) => l.message === 'post media deleted' && l.postId === id);

describe('post.deleted consumer', () => {
  test('when the author’s post is deleted, then their listed media leave storage and MongoDB, another user’s stay', async () => {
    const [alice, bob] = [createTestUser(), createTestUser()];
    const [a1, a2, b1] = [await uploadAs(alice), await uploadAs(alice, gif()), await uploadAs(bob)];
    const kept = await uploadAs(alice); // not in the event
    const id = newObjectId();

    await publishDeleted({ postId: id, userId: alice.id, mediaIds: [a1.id, a2.id, b1.id] }, 'req-delete-1');

    await waitFor(() => handledLines(id).length === 1, { description: 'post.deleted handled' });
    expect(await env.media.countDocuments({ _id: { $in: [a1.id, a2.id] } })).toBe(0);
    expect([await exists(a1.key), await exists(a2.key)]).toEqual([false, false]);
    expect(await env.media.exists({ _id: b1.id })).toBeTruthy();
    expect(await exists(b1.key)).toBe(true);
    expect(await env.media.exists({ _id: kept.id })).toBeTruthy();
    expect(handledLines(id)[0]).toMatchObject({ requestId: 'req-delete-1', deleted: 2, skipped: 1 });
  });

  test('when the same post.deleted is delivered again, then nothing else changes and it is acked', async () => {
    const [alice, bob] = [createTestUser(), createTestUser()];
    const [a1, b1] = [await uploadAs(alice), await uploadAs(bob)];
    const event = buildPostDeleted({
      postId: newObjectId(),
      userId: alice.id,
      mediaIds: [a1.id, b1.id],
    });
    await publisher.publish(event);
    await waitFor(() => handledLines(event.data.postId).length === 1);
    const dlqBefore = await dlqCount();

    await publisher.publish(event);

    await waitFor(() => handledLines(event.data.postId).length === 2, { description: 'redelivery handled' });
    expect(handledLines(event.data.postId)[1]).toMatchObject({ deleted: 0 });
    expect(await env.media.exists({ _id: b1.id })).toBeTruthy();
    expect(await exists(b1.key)).toBe(true);
    expect(await dlqCount()).toBe(dlqBefore);
  });

  test('when a malformed message arrives, then it goes to the DLQ and the consumer keeps working', async () => {
    const alice = createTestUser();
    const a1 = await uploadAs(alice);
    const dlqBefore = await dlqCount();

    ch.publish(exchange, EventTypes.PostDeleted, Buffer.from('{not json'), { persistent: true });
    ch.publish(
      exchange,
      EventTypes.PostDeleted,
      Buffer.from(
        JSON.stringify({
          id: 'x',
          type: 'post.deleted',
          occurredAt: new Date().toISOString(),
          data: { userId: alice.id, mediaIds: ['../../etc'] },
        }),
      ),
      { persistent: true },
    );

    await waitFor(async () => (await dlqCount()) === dlqBefore + 2, {
      description: 'malformed messages dead-lettered',
    });
    const id = newObjectId();
    await publishDeleted({ postId: id, userId: alice.id, mediaIds: [a1.id] });
    await waitFor(() => handledLines(id).length === 1, {
      description: 'valid event handled after malformed ones',
    });
    expect(await env.media.exists({ _id: a1.id })).toBeNull();
  });

  test('when storage fails once, then the retry deletes the media', async () => {
    const alice = createTestUser();
    const a1 = await uploadAs(alice);
    failingRemoves.set(a1.key, 1);

    await publishDeleted({ postId: newObjectId(), userId: alice.id, mediaIds: [a1.id] });

    await waitFor(async () => !(await env.media.exists({ _id: a1.id })), { description: 'deleted on retry' });
    expect(failingRemoves.get(a1.key)).toBe(0); // the first attempt really failed
    expect(await exists(a1.key)).toBe(false);
  });

  test('when storage keeps failing, then after the retries the event is dead-lettered and the record stays', async () => {
    const alice = createTestUser();
    const a1 = await uploadAs(alice);
    failingRemoves.set(a1.key, Number.POSITIVE_INFINITY);
    const dlqBefore = await dlqCount();

    await publishDeleted({ postId: newObjectId(), userId: alice.id, mediaIds: [a1.id] });

    await waitFor(async () => (await dlqCount()) === dlqBefore + 1, { description: 'event dead-lettered' });
    expect(await env.media.exists({ _id: a1.id })).toBeTruthy();
    expect(await exists(a1.key)).toBe(true);
    failingRemoves.delete(a1.key);
  });
});

describe('user.deleted consumer', () => {
  test("when an account is deleted, then all its media (posted or not) leave storage and MongoDB, another user's stay", async () => {
    // Arrange
    const [carol, dave] = [createTestUser(), createTestUser()];
    const carols = [await uploadAs(carol), await uploadAs(carol, gif()), await uploadAs(carol)];
    const daves = await uploadAs(dave);

    // Act
    await publisher.publish(newIntegrationEvent(EventTypes.UserDeleted, { userId: carol.id }));

    // Assert
    await waitFor(async () => (await env.media.countDocuments({ userId: carol.id })) === 0, {
      description: "carol's records gone",
    });
    for (const m of carols) expect(await exists(m.key)).toBe(false);
    expect(await exists(daves.key)).toBe(true);
    expect(await env.media.countDocuments({ userId: dave.id })).toBe(1);
  });

  test('when user.deleted is delivered again, then nothing else changes and it is acked', async () => {
    const erin = createTestUser();
    await uploadAs(erin);
    const event = newIntegrationEvent(EventTypes.UserDeleted, { userId: erin.id });

    await publisher.publish(event);
    await publisher.publish(event);

    await waitFor(
      () =>
        env.logs.lines.filter((l) => l.message === "deleted account's media removed" && l.userId === erin.id)
          .length === 2,
      { description: 'both deliveries handled' },
    );
    expect(await env.media.countDocuments({ userId: erin.id })).toBe(0);
  });
});
