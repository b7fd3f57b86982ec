import { waitFor } from '@social/testkit/helpers';
import type { RunningStack } from '../scripts/stack/start-stack';
import { consumerQueues, deadLetterCount, deleteBrokerTopology, sendRaw } from './support/broker';
import { closeAllBrokerConnections, ensureSharedInfrastructure } from './support/infra';
import {
  call,
  createPost,
  marker,
  register,
  searchIsExactly,
  startFaultStack,
  type Account,
} from './support/stack';

/** Creates posts from a few parallel writers and deletes every third one, until stopped. */
function postWriters(gatewayUrl: string, token: string, word: string, writers = 4) {
  const created = new Set<string>();
  const deleted = new Set<string>();
  const failures: string[] = [];
  let running = true;
  let n = 0;
  const writer = async (): Promise<void> => {
    while (running) {
      const i = n++;
      const res = await createPost(gatewayUrl, token, `${word} post number ${i}`).catch((err: Error) => err);
      if (res instanceof Error || res.status !== 201) {
        failures.push(res instanceof Error ? res.message : `create ${res.status}`);
        continue;
      }
      created.add(res.body.post.id);
      if (i % 3 !== 0) continue;
      const del = await call(gatewayUrl, 'DELETE', `/v1/posts/${res.body.post.id}`, { token }).catch(
        (err: Error) => err,
      );
      if (del instanceof Error || del.status !== 200) {
        failures.push(del instanceof Error ? del.message : `delete ${del.status}`);
      } else {
        deleted.add(res.body.post.id);
      }
    }
  };
  const done = Promise.all(Array.from({ length: writers }, writer));
  return {
    created,
    deleted,
    failures,
    remaining: (): Set<string> => new Set([...created].filter((id) => !deleted.has(id))),
    stop: async (): Promise<void> => {
      running = false;
      await done;
    },
  };
}

describe('messaging faults', () => {
  let stack: RunningStack;
  let alice: Account;

  beforeAll(async () => {
    stack = await startFaultStack();
    alice = await register(stack.gatewayUrl);
  });

  afterAll(async () => {
    await stack?.stop();
    await ensureSharedInfrastructure();
    if (stack) await deleteBrokerTopology(stack);
  });

  test('when every broker connection is closed twice while posts are created and deleted, then search ends exact: 0 lost, 0 duplicates', async () => {
    // Arrange
    const word = marker();
    const load = postWriters(stack.gatewayUrl, alice.accessToken, word);
    try {
      // Act
      await waitFor(() => load.created.size >= 20, { timeoutMs: 20_000, description: 'first 20 posts' });
      await closeAllBrokerConnections();
      const mark = load.created.size;
      await waitFor(() => load.created.size >= mark + 40, {
        timeoutMs: 20_000,
        description: '40 more posts',
      });
      await closeAllBrokerConnections();
      const mark2 = load.created.size;
      await waitFor(() => load.created.size >= mark2 + 20, {
        timeoutMs: 20_000,
        description: '20 more posts',
      });
    } finally {
      await load.stop();
    }

    // Assert
    expect(load.failures).toEqual([]);
    expect(load.deleted.size).toBeGreaterThan(10);
    await waitFor(() => searchIsExactly(stack.gatewayUrl, alice.accessToken, word, load.remaining()), {
      timeoutMs: 30_000,
      description: `search holds exactly the ${load.remaining().size} surviving posts`,
    });
  });

  test('when every broker connection is closed, then each broker user reports the broker up on /ready again and the outbox drains', async () => {
    // Arrange
    const readiness = async (name: 'post-service' | 'media-service' | 'search-service') =>
      (
        await fetch(`${stack.internalUrls[name]}/ready`, { signal: AbortSignal.timeout(5_000) })
      ).json() as Promise<{
        checks: Record<string, string>;
        details: Record<string, unknown>;
      }>;

    // Act
    await closeAllBrokerConnections();
    const res = await createPost(stack.gatewayUrl, alice.accessToken, `${marker()} right after the drop`);

    // Assert
    expect(res.status).toBe(201);
    for (const name of ['post-service', 'media-service', 'search-service'] as const) {
      await waitFor(async () => (await readiness(name)).checks.rabbitmq === 'up', {
        timeoutMs: 15_000,
        description: `${name} reconnected to the broker`,
      });
    }
    await waitFor(async () => (await readiness('post-service')).details.outboxBacklog === 0, {
      timeoutMs: 15_000,
      description: 'the outbox drained',
    });
  });

  test('when search-service is stopped while posts are created and deleted, then after its restart the backlog drains and the index is exact', async () => {
    // Arrange
    const word = marker();
    const before = postWriters(stack.gatewayUrl, alice.accessToken, word, 2);
    await waitFor(() => before.created.size >= 9, { timeoutMs: 20_000 });
    await before.stop();
    await waitFor(() => searchIsExactly(stack.gatewayUrl, alice.accessToken, word, before.remaining()), {
      timeoutMs: 15_000,
      description: 'the posts before the outage indexed',
    });

    // Act
    const code = await stack.stopService('search-service');
    const during = postWriters(stack.gatewayUrl, alice.accessToken, word, 4);
    await waitFor(() => during.created.size >= 60, {
      timeoutMs: 30_000,
      description: '60 posts while search is down',
    });
    await during.stop();
    const olderGone = [...before.remaining()].slice(0, 3);
    for (const id of olderGone) {
      expect(
        (await call(stack.gatewayUrl, 'DELETE', `/v1/posts/${id}`, { token: alice.accessToken })).status,
      ).toBe(200);
    }
    await stack.startService('search-service');

    // Assert
    expect(code).toBe(0);
    expect(during.failures).toEqual([]);
    const expected = new Set(
      [...before.remaining(), ...during.remaining()].filter((id) => !olderGone.includes(id)),
    );
    await waitFor(() => searchIsExactly(stack.gatewayUrl, alice.accessToken, word, expected), {
      timeoutMs: 30_000,
      description: `search holds exactly the ${expected.size} surviving posts after the restart`,
    });
  });

  test.each(['search', 'media'] as const)(
    'when malformed messages land in the %s consumer queue, then they go to its DLQ and the consumer keeps working',
    async (owner) => {
      // Arrange
      const queue = consumerQueues(stack)[owner];
      const dlqBefore = await deadLetterCount(queue);
      const poison: [Buffer, Record<string, unknown>][] = [
        [Buffer.from('{"not json'), { contentType: 'application/json', type: 'post.deleted' }],
        [
          Buffer.from(
            JSON.stringify({ id: 'x', type: 'post.deleted', occurredAt: 'yesterday', data: { postId: 42 } }),
          ),
          { type: 'post.deleted', contentType: 'application/json' },
        ],
        [
          Buffer.from(JSON.stringify({ id: 'y', type: 'post.exploded', data: {} })),
          { type: 'post.exploded', contentType: 'application/json' },
        ],
        [Buffer.alloc(64, 0xff), {}],
      ];

      // Act
      for (const [body, props] of poison) await sendRaw(queue, body, props);

      // Assert
      await waitFor(async () => (await deadLetterCount(queue)) === dlqBefore + poison.length, {
        timeoutMs: 15_000,
        description: `${poison.length} poison messages in ${queue}.dlq`,
      });
      if (owner === 'search') {
        const word = marker();
        const res = await createPost(stack.gatewayUrl, alice.accessToken, `${word} after the poison`);
        await waitFor(
          () => searchIsExactly(stack.gatewayUrl, alice.accessToken, word, new Set([res.body.post.id])),
          {
            timeoutMs: 15_000,
            description: 'a new post searchable after the poison',
          },
        );
      } else {
        const form = new FormData();
        form.append('file', tinyPng(), 'dot.png');
        const upload = await call<{ mediaId: string }>(stack.gatewayUrl, 'POST', '/v1/media/upload', {
          token: alice.accessToken,
          raw: { body: form },
        });
        expect(upload.status).toBe(201);
        const post = await call<{ post: { id: string } }>(stack.gatewayUrl, 'POST', '/v1/posts/create-post', {
          token: alice.accessToken,
          json: { content: 'with media', mediaIds: [upload.body.mediaId] },
        });
        await call(stack.gatewayUrl, 'DELETE', `/v1/posts/${post.body.post.id}`, {
          token: alice.accessToken,
        });
        await waitFor(
          async () =>
            (
              await call(stack.gatewayUrl, 'GET', `/v1/media/${upload.body.mediaId}`, {
                token: alice.accessToken,
              })
            ).status === 404,
          { timeoutMs: 15_000, description: 'the deleted post’s media removed by the media consumer' },
        );
      }
    },
  );
});

// A real 1x1 PNG: the media service decides the type from these bytes.
const tinyPng = (): Blob =>
  new Blob([
    Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
      'base64',
    ),
  ]);
