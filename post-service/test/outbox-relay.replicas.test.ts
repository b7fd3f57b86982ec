import request from 'supertest';
import type { EventBus } from '@social/common/events';
import { Registry } from '@social/common/metrics';
import { captureLogger, createTestUser, probeQueue, waitFor, type QueueProbe } from '@social/testkit/helpers';
import { createOutboxRelay, type OutboxRelay } from '../src/events/outbox-relay';
import { arrange } from './support/post-data';
import {
  RABBITMQ_URL,
  startInfra,
  startPostApp,
  stopInfra,
  type PostTestEnv,
  type PostTestInfra,
} from './support/post-app';

const alice = createTestUser();

interface Probed {
  id: string;
  type: string;
  data: { postId: string };
}

/** Two post-service replicas: two apps, relays and broker connections on one database and exchange. */
let infra: PostTestInfra;
let one: PostTestEnv;
let two: PostTestEnv;
let probe: QueueProbe;
const started: OutboxRelay[] = [];

beforeAll(async () => {
  infra = await startInfra();
  [one, two] = await Promise.all([startPostApp(infra), startPostApp(infra)]);
  probe = await probeQueue(RABBITMQ_URL, infra.exchange, ['post.#']);
});
afterEach(async () => {
  await Promise.all(started.splice(0).map((relay) => relay.stop()));
});
afterAll(async () => {
  await probe.close();
  await Promise.all([one.close(), two.close()]);
  await stopInfra(infra);
});

const bodies = (): Probed[] => probe.received.map((m) => m.body as Probed);
const eventsOf = (postId: string): Probed[] => bodies().filter((b) => b.data.postId === postId);

/** A relay of its own on the shared posts collection (the envs' relays stay stopped in these tests). */
function replicaRelay(
  env: PostTestEnv,
  o: { claimTtlMs?: number; owner?: string; bus?: Pick<EventBus, 'publish'> } = {},
) {
  const captured = captureLogger('post-service');
  const registry = new Registry();
  const relay = createOutboxRelay({
    posts: env.posts,
    likes: env.likes,
    comments: env.comments,
    bus: o.bus ?? env.bus,
    log: captured.log,
    registry,
    intervalMs: 100,
    batchSize: 10,
    claimTtlMs: o.claimTtlMs,
    owner: o.owner,
  });
  started.push(relay);
  const claims = async (result: string): Promise<number> => {
    const metric = await registry.getSingleMetric('outbox_claims_total')?.get();
    return metric?.values.find((v) => v.labels.result === result)?.value ?? 0;
  };
  return { relay, log: captured.lines, registry, claims };
}

/** Sets a lease as another replica would have (one that crashed, or one still working). */
async function claimAs(env: PostTestEnv, postId: string, owner: string, forMs: number): Promise<void> {
  const outboxClaim = { owner, until: new Date(Date.now() + forMs) };
  await env.posts.updateOne({ _id: postId }, { $set: { outboxClaim } }, { timestamps: false });
}

const leaseOf = async (env: PostTestEnv, postId: string) =>
  (await env.posts.findById(postId, { outboxClaim: 1 }).lean())?.outboxClaim;

/**
 * Creates a marker post through `env` and waits until `relay` published it: whatever `relay` published before
 * came through the same channel, so it is here too. Resolves with the marker's id.
 */
async function flush(env: PostTestEnv, relay: OutboxRelay): Promise<string> {
  const marker = await arrange(env.app).createPost(alice);
  await relay.runOnce();
  await waitFor(() => eventsOf(marker.id).length > 0, { description: 'marker post.created' });
  return marker.id;
}

describe('outbox relays on two replicas', () => {
  beforeAll(async () => {
    // Each test runs the relays it needs; the envs' own relays would take part otherwise.
    await Promise.all([one.relay.stop(), two.relay.stop()]);
  });

  test('when two relays publish one collection while posts are created and deleted through both, then each event goes out exactly once', async () => {
    // Arrange
    const a = replicaRelay(one);
    const b = replicaRelay(two);
    a.relay.start();
    b.relay.start();
    const before = probe.received.length;
    const expected: string[] = [];

    // Act: 4 writers per replica; every third post is deleted through the other replica.
    const writer = async (self: PostTestEnv, relay: OutboxRelay, other: PostTestEnv): Promise<void> => {
      for (let i = 0; i < 10; i++) {
        const post = await arrange(self.app).createPost(alice);
        relay.kick();
        expected.push(`created:${post.id}`);
        if (i % 3 !== 0) continue;
        await request(other.app).delete(`/api/posts/${post.id}`).set(alice.auth).expect(200);
        expected.push(`deleted:${post.id}`);
      }
    };
    await Promise.all(
      Array.from({ length: 4 }, () => [writer(one, a.relay, two), writer(two, b.relay, one)]).flat(),
    );
    await waitFor(async () => (await one.relay.backlog()) === 0, {
      timeoutMs: 15_000,
      description: 'empty outbox',
    });
    const markers = [await flush(one, a.relay), await flush(two, b.relay)];

    // Assert
    const published = probe.received.slice(before).map((m) => m.body as Probed);
    const ids = published.map((p) => p.id);
    const seen = published
      .filter((p) => !markers.includes(p.data.postId))
      .map((p) => `${p.type.replace('post.', '')}:${p.data.postId}`);
    expect(new Set(ids).size).toBe(ids.length);
    expect(seen.sort()).toEqual(expected.sort());
    expect(await one.posts.countDocuments({ deletedAt: { $ne: null } })).toBe(0);
    const relayedBy = async (r: ReturnType<typeof replicaRelay>): Promise<number> =>
      (await r.registry.getSingleMetric('outbox_events_relayed_total')?.get())?.values.reduce(
        (sum, v) => sum + v.value,
        0,
      ) ?? 0;
    const [byA, byB] = [await relayedBy(a), await relayedBy(b)];
    expect(byA + byB).toBe(ids.length);
    expect(byA).toBeGreaterThan(0);
    expect(byB).toBeGreaterThan(0);
  });

  test('when a crashed replica left its lease on a post, then no relay publishes it until the lease expires, then one takes it over', async () => {
    // Arrange
    const post = await arrange(one.app).createPost(alice);
    await claimAs(one, post.id, 'crashed-replica', 1_000);
    const survivor = replicaRelay(two);

    // Act
    await survivor.relay.runOnce();
    const heldBack = await leaseOf(one, post.id);
    await waitFor(
      async () => {
        await survivor.relay.runOnce();
        return eventsOf(post.id).length > 0;
      },
      { timeoutMs: 5_000, description: 'post.created after the lease expired' },
    );

    // Assert
    expect(heldBack).toMatchObject({ owner: 'crashed-replica' });
    await flush(two, survivor.relay);
    expect(eventsOf(post.id).map((e) => e.type)).toEqual(['post.created']);
    expect(await survivor.claims('taken_over')).toBe(1);
    expect(survivor.log).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: 'outbox lease expired, taking the document over',
        previousOwner: 'crashed-replica',
        documentId: post.id,
      }),
    );
    expect(await one.posts.findById(post.id).lean()).toMatchObject({ pendingEvents: [] });
    expect(await leaseOf(one, post.id)).toBeUndefined();
  });

  test('when another live replica holds a post, then a relay never publishes it, and leaves the lease alone', async () => {
    // Arrange
    const post = await arrange(one.app).createPost(alice);
    await claimAs(one, post.id, 'live-replica', 60_000);
    const other = replicaRelay(two);

    // Act
    await other.relay.runOnce();
    await flush(two, other.relay);

    // Assert
    expect(eventsOf(post.id)).toEqual([]);
    const stored = await one.posts.findById(post.id).lean();
    expect(stored).toMatchObject({
      pendingEvents: [expect.objectContaining({ type: 'post.created' })],
      outboxClaim: { owner: 'live-replica' },
    });
    expect(await other.claims('claimed')).toBe(1); // the marker only
    // Once that replica releases it, the post goes out like any other.
    await one.posts.updateOne({ _id: post.id }, { $unset: { outboxClaim: 1 } }, { timestamps: false });
    await other.relay.runOnce();
    expect(await other.relay.backlog()).toBe(0);
  });

  test('when a relay stalls past its lease mid-post, then another takes over and the stalled one stops at its next event', async () => {
    // Arrange: a post with post.created and post.deleted pending; relay A's first publish hangs on a gate.
    const post = await arrange(one.app).createPost(alice);
    await request(one.app).delete(`/api/posts/${post.id}`).set(alice.auth).expect(200);
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const stalled = replicaRelay(one, {
      claimTtlMs: 400,
      bus: { publish: async (event) => gate.then(() => one.bus.publish(event)) },
    });
    const taker = replicaRelay(two, { claimTtlMs: 400 });

    // Act
    const stalledPass = stalled.relay.runOnce();
    await waitFor(async () => (await leaseOf(one, post.id))?.owner === stalled.relay.owner, {
      description: 'the stalled relay holds the post',
    });
    await waitFor(
      async () => {
        await taker.relay.runOnce();
        return eventsOf(post.id).some((e) => e.type === 'post.deleted');
      },
      { timeoutMs: 5_000, description: 'the taker published both events' },
    );
    open();
    await stalledPass;
    await flush(one, stalled.relay);

    // Assert: the stalled publish still went out (at-least-once), its post.deleted did not.
    expect(eventsOf(post.id).map((e) => e.type)).toEqual(['post.created', 'post.deleted', 'post.created']);
    expect(await taker.claims('taken_over')).toBe(1);
    expect(await stalled.claims('lost')).toBe(1);
    expect(await one.posts.countDocuments({ _id: post.id })).toBe(0);
    expect(stalled.log).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: 'outbox lease expired while publishing, another relay continues',
      }),
    );
  });
});
