import { createEventBus, EventTypes, newIntegrationEvent } from '@social/common/events';
import { createLogger } from '@social/common/logger';
import { waitFor } from '@social/testkit/helpers';
import type { Scenario } from '../lib/context';
import { measure } from '../lib/measure';
import { searchPostsCollection } from '../lib/search-db';

const SEARCH_POSTS = 10_000;
const WORDS = [
  'running',
  'coffee',
  'mountain',
  'river',
  'music',
  'travel',
  'garden',
  'city',
  'night',
  'summer',
];

/** Seeds search-service through the event exchange, then measures a rare and a common query. */
export const search: Scenario = {
  name: 'search',
  description: `GET /v1/search/posts over ${SEARCH_POSTS} posts (seeded through the event exchange)`,
  async run(ctx) {
    const { stack } = ctx;
    const { searchPosts, close } = await searchPostsCollection(stack);
    const bus = createEventBus({
      url: stack.env['post-service'].RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
      appId: 'bench',
      log: createLogger({ service: 'bench', level: 'warn', json: false }),
      exchange: stack.env['post-service'].EVENTS_EXCHANGE,
    });
    try {
      const base = await searchPosts.countDocuments();
      await bus.connect();
      const userId = '0123456789abcdef01234567';
      const seedStart = Date.now();
      for (let i = 0; i < SEARCH_POSTS; i += 250) {
        await Promise.all(
          Array.from({ length: Math.min(250, SEARCH_POSTS - i) }, (_, k) => {
            const n = i + k;
            const postId = (0x10000000 + n).toString(16).padStart(24, 'a');
            const content = `${WORDS[n % 10]} and ${WORDS[(n * 7) % 10]} post ${n} ${n % 100 === 0 ? 'rareword' : ''}`;
            return bus.publish(
              newIntegrationEvent(
                EventTypes.PostCreated,
                { postId, userId, content, mediaIds: [], createdAt: new Date().toISOString() },
                { correlationId: `bench-seed-${n}` },
              ),
            );
          }),
        );
      }
      await waitFor(async () => (await searchPosts.countDocuments()) >= base + SEARCH_POSTS, {
        timeoutMs: 300_000,
        intervalMs: 500,
        description: `${SEARCH_POSTS} posts indexed`,
      });
      ctx.extra.searchSeed = { posts: SEARCH_POSTS, seconds: (Date.now() - seedStart) / 1000 };
      const gw = stack.gatewayUrl;
      ctx.rows.push(
        await measure('GET /v1/search/posts?query=rareword (100 hits)', {
          url: `${gw}/v1/search/posts?query=rareword&limit=10`,
          headers: ctx.auth,
        }),
      );
      ctx.rows.push(
        await measure('GET /v1/search/posts?query=coffee (~2000 hits)', {
          url: `${gw}/v1/search/posts?query=coffee&limit=10`,
          headers: ctx.auth,
        }),
      );
    } finally {
      await bus.close();
      await close();
    }
  },
};
