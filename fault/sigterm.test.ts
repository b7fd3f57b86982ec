import { waitFor } from '@social/testkit/helpers';
import type { RunningStack } from '../scripts/stack/start-stack';
import { deleteBrokerTopology } from './support/broker';
import { ensureSharedInfrastructure } from './support/infra';
import {
  createPost,
  marker,
  register,
  searchAll,
  searchIsExactly,
  startFaultStack,
  type Account,
} from './support/stack';

describe('SIGTERM during load', () => {
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

  test('when post-service gets SIGTERM under write load, then every request gets a response, it exits 0, and every 201 post reaches search', async () => {
    // Arrange
    const word = marker();
    const created = new Set<string>();
    const statuses: number[] = [];
    const networkErrors: string[] = [];
    let running = true;
    let n = 0;
    const writer = async (): Promise<void> => {
      while (running) {
        const res = await createPost(stack.gatewayUrl, alice.accessToken, `${word} load ${n++}`).catch(
          (e: Error) => e,
        );
        if (res instanceof Error) networkErrors.push(res.message);
        else {
          statuses.push(res.status);
          if (res.status === 201) created.add(res.body.post.id);
        }
      }
    };
    const writers = Promise.all(Array.from({ length: 8 }, writer));
    let code: number | null = null;
    try {
      await waitFor(() => created.size >= 40, { timeoutMs: 20_000 });

      // Act
      code = await stack.stopService('post-service');
      const after = statuses.length;
      await waitFor(() => statuses.length >= after + 8, {
        timeoutMs: 10_000,
        description: 'requests after the exit',
      });
    } finally {
      running = false;
      await writers;
    }
    await stack.startService('post-service');

    // Assert
    expect(code).toBe(0);
    expect(networkErrors).toEqual([]);
    expect(statuses.filter((s) => ![201, 502, 503].includes(s))).toEqual([]);
    // A post whose response was cut would show up here without being in `created`.
    await waitFor(() => searchIsExactly(stack.gatewayUrl, alice.accessToken, word, created), {
      timeoutMs: 30_000,
      description: `exactly the ${created.size} acknowledged posts searchable`,
    });
  });

  test('when search-service gets SIGTERM while draining a backlog, then it exits 0 and after a restart no event is lost', async () => {
    // Arrange
    const word = marker();
    await stack.stopService('search-service');
    const ids = new Set<string>();
    const batches = Array.from({ length: 150 }, (_, i) => i);
    for (let i = 0; i < batches.length; i += 10) {
      const replies = await Promise.all(
        batches
          .slice(i, i + 10)
          .map((k) => createPost(stack.gatewayUrl, alice.accessToken, `${word} backlog ${k}`)),
      );
      for (const r of replies) ids.add(r.body.post.id);
    }

    // Act
    await stack.startService('search-service');
    const indexedAtSigterm = (await searchAll(stack.gatewayUrl, alice.accessToken, word)).length;
    const code = await stack.stopService('search-service');
    await stack.startService('search-service');

    // Assert
    expect(code).toBe(0);
    expect(indexedAtSigterm).toBeLessThanOrEqual(ids.size);
    await waitFor(() => searchIsExactly(stack.gatewayUrl, alice.accessToken, word, ids), {
      timeoutMs: 30_000,
      description: `all ${ids.size} posts indexed after the restart`,
    });
  });
});
