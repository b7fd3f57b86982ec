import { probeQueue, waitFor, type QueueProbe } from '@social/testkit/helpers';
import type { RunningStack } from '../scripts/stack/start-stack';
import { consumerQueues, deadLetterCount, deleteBrokerTopology, RABBITMQ_URL } from './support/broker';
import { ensureSharedInfrastructure } from './support/infra';
import {
  openStackDatabases,
  publishedEvents,
  replicaLoad,
  type ReplicaLoad,
  type StackDatabases,
} from './support/replicas';
import {
  marker,
  metricValue,
  register,
  searchIsExactly,
  startFaultStack,
  type Account,
} from './support/stack';

interface Settled {
  ratio: number;
  duplicates: number;
  published: number;
  unknownPosts: number;
}

/**
 * Two gateways and two replicas each of post-service, search-service and media-service (one identity-service):
 * gateway n talks to replica n. Both post-service relays share one outbox, both search and both media
 * replicas compete for their durable queues. A probe queue on the exchange sees every publish.
 */
describe('two replicas of each service', () => {
  let stack: RunningStack;
  let alice: Account;
  let probe: QueueProbe;
  let db: StackDatabases;

  beforeAll(async () => {
    stack = await startFaultStack({
      replicas: { 'api-gateway': 2, 'post-service': 2, 'search-service': 2, 'media-service': 2 },
      // A crashed relay's leases pass to the other replica after 5 s instead of 15.
      shared: { OUTBOX_CLAIM_TTL_MS: '5000', EVENTS_PUBLISH_TIMEOUT_MS: '2000' },
    });
    alice = await register(stack.gatewayUrl);
    probe = await probeQueue(RABBITMQ_URL, stack.env['post-service'].EVENTS_EXCHANGE as string, ['post.#']);
    db = await openStackDatabases(stack);
  });

  afterAll(async () => {
    await probe?.close();
    await db?.close();
    await stack?.stop();
    await ensureSharedInfrastructure();
    if (stack) await deleteBrokerTopology(stack);
  });

  /**
   * Waits until the run has settled (outboxes empty, search exact) and checks everything against MongoDB.
   * Returns the publishes on the probe queue (and how many repeated an earlier messageId), and the posts
   * the client never heard of.
   */
  async function settledAndExact(load: ReplicaLoad, word: string, since: number): Promise<Settled> {
    // The outbox drains: every event confirmed by the broker, every deleted post removed.
    const posts = await waitFor(
      async () => {
        const found = await db.posts(word);
        return found.every((p) => p.pendingEvents.length === 0 && p.deletedAt === null) ? found : undefined;
      },
      { timeoutMs: 20_000, description: 'both relays drained the outbox' },
    );
    const surviving = new Set(posts.map((p) => String(p._id)));

    // What the client was told holds: its posts are there, its deletes are gone. Posts it never heard of can
    // come only from creates whose first attempt died after the write.
    expect([...load.remaining()].filter((id) => !surviving.has(id))).toEqual([]);
    expect([...load.deleted].filter((id) => surviving.has(id))).toEqual([]);
    const unknown = [...surviving].filter((id) => !load.created.has(id));
    expect(unknown.length).toBeLessThanOrEqual(load.uncertainCreates);

    // Search: each surviving post exactly once, through either gateway and in its collection; deleted ones gone.
    for (const gateway of stack.gatewayUrls) {
      await waitFor(() => searchIsExactly(gateway, alice.accessToken, word, surviving), {
        timeoutMs: 20_000,
        description: `search holds exactly the ${surviving.size} surviving posts`,
      });
    }
    const searchDocs = await db.searchDocuments(word);
    expect([...searchDocs.keys()].sort()).toEqual([...surviving].sort());
    expect([...searchDocs.values()].every((n) => n === 1)).toBe(true);

    // Media: a deleted post's records and files are gone, a surviving post's are kept.
    const deleted = [...load.deleted].map((id) => load.created.get(id)).filter((p) => p !== undefined);
    await waitFor(async () => (await db.media(deleted.map((p) => p.mediaId))).length === 0, {
      timeoutMs: 20_000,
      description: `the media of ${deleted.length} deleted posts removed`,
    });
    expect(deleted.filter((p) => db.fileExists(p.fileKey))).toEqual([]);
    // (A post the client never heard of may share its picture with the retry that followed it; when the retry
    // is deleted, so is the picture. So only the client's own posts are checked here.)
    const kept = [...load.remaining()].map((id) => load.created.get(id)).filter((p) => p !== undefined);
    expect((await db.media(kept.map((p) => p.mediaId))).length).toBe(kept.length);
    expect(kept.filter((p) => !db.fileExists(p.fileKey))).toEqual([]);

    // No event lost: post.created for every post, post.deleted for every delete; none dead-lettered.
    const everyPost = new Set([...surviving, ...load.deleted]);
    const events = await waitFor(
      () => {
        const seen = publishedEvents(probe.received.slice(since));
        const complete =
          [...everyPost].every((id) => seen.created.has(id)) &&
          [...load.deleted].every((id) => seen.deleted.has(id));
        return complete ? seen : undefined;
      },
      { timeoutMs: 10_000, description: 'every event on the probe queue' },
    );
    const queues = consumerQueues(stack);
    expect([await deadLetterCount(queues.search), await deadLetterCount(queues.media)]).toEqual([0, 0]);
    const ratio = events.duplicates / (events.total - events.duplicates);
    return { ratio, duplicates: events.duplicates, published: events.total, unknownPosts: unknown.length };
  }

  const report = (phase: string, load: ReplicaLoad, settled: Settled, extra = ''): void => {
    process.stderr.write(
      `[replicas] ${phase}: ${load.created.size} posts created, ${load.deleted.size} deleted, ` +
        `${settled.unknownPosts} more from retried creates; ${settled.published} publishes, ` +
        `${settled.duplicates} duplicates = ${(settled.ratio * 100).toFixed(2)} %${extra}\n`,
    );
  };

  test('when posts with media are created and deleted through both gateways, then the result is that of one replica and nothing is published twice', async () => {
    // Arrange
    const word = marker();
    const since = probe.received.length;

    // Act
    const load = replicaLoad(stack.gatewayUrls, alice.accessToken, word);
    try {
      await waitFor(() => load.created.size >= 45, { timeoutMs: 30_000, description: '45 posts' });
    } finally {
      await load.stop();
    }

    // Assert
    expect(load.failures).toEqual([]);
    expect(load.uncertainCreates).toBe(0);
    const settled = await settledAndExact(load, word, since);
    report('no crashes', load, settled);
    expect(settled.duplicates).toBe(0);
  });

  test('when one replica each of post, search and media is SIGKILLed and restarted under load, then nothing is lost, search is exact and duplicates stay rare', async () => {
    // Arrange
    const word = marker();
    const since = probe.received.length;
    const takenOverOn = (replica: number): Promise<number> =>
      metricValue(stack.instances['post-service'][replica - 1]!.internalUrl, 'outbox_claims_total', {
        result: 'taken_over',
      });
    const takenOverBefore = await takenOverOn(2);
    const load = replicaLoad(stack.gatewayUrls, alice.accessToken, word);
    let killedHoldingLease = false;

    // Act
    try {
      await waitFor(() => load.created.size >= 30, {
        timeoutMs: 30_000,
        description: '30 posts before the crash',
      });
      // Best when post-service 1 dies holding a lease (what leases are for): watch for one for a moment.
      const relayPid = stack.pid('post-service', 1) as number;
      killedHoldingLease = await waitFor(async () => (await db.leasesHeldBy(relayPid)) > 0, {
        timeoutMs: 5_000,
        intervalMs: 5,
      }).then(
        () => true,
        () => false,
      );
      await Promise.all([
        stack.killService('post-service', 1),
        stack.killService('search-service', 2),
        stack.killService('media-service', 1),
      ]);
      const atCrash = load.created.size;
      await waitFor(() => load.created.size >= atCrash + 40, {
        timeoutMs: 30_000,
        description: '40 posts through the surviving replicas',
      });
      await Promise.all([
        stack.startService('post-service', undefined, 1),
        stack.startService('search-service', undefined, 2),
        stack.startService('media-service', undefined, 1),
      ]);
      const atRestart = load.created.size;
      await waitFor(() => load.created.size >= atRestart + 30, {
        timeoutMs: 30_000,
        description: '30 posts after the restart',
      });
    } finally {
      await load.stop();
    }

    // Assert
    expect(load.failures).toEqual([]);
    const settled = await settledAndExact(load, word, since);
    // Leases of the killed process taken over by post-service 2 or by the restarted post-service 1.
    const takenOver = (await takenOverOn(2)) - takenOverBefore + (await takenOverOn(1));
    report(
      'SIGKILL of post-1, search-2, media-1',
      load,
      settled,
      `; killed holding a lease: ${killedHoldingLease ? 'yes' : 'no'}, ${takenOver} leases taken over`,
    );
    expect(settled.ratio).toBeLessThan(0.05);
  });
});
