import type { Scenario } from '../lib/context';
import { measure } from '../lib/measure';

/** The post list with post-service's Redis cache on and off, and a single post with it off. */
export const list: Scenario = {
  name: 'list',
  description: 'GET /v1/posts/all-posts, cached vs CACHE_ENABLED=false',
  async run(ctx) {
    const { stack } = ctx;
    const gw = stack.gatewayUrl;
    const listUrl = `${gw}/v1/posts/all-posts?page=1&limit=10`;
    ctx.rows.push(await measure('GET /v1/posts/all-posts (cache on)', { url: listUrl, headers: ctx.auth }));
    await stack.stopService('post-service');
    await stack.startService('post-service', { env: { CACHE_ENABLED: 'false' } });
    try {
      ctx.rows.push(
        await measure('GET /v1/posts/all-posts (cache off)', { url: listUrl, headers: ctx.auth }),
      );
      ctx.rows.push(
        await measure('GET /v1/posts/:id via gateway (cache off)', {
          url: `${gw}/v1/posts/${ctx.postId}`,
          headers: ctx.auth,
        }),
      );
    } finally {
      await stack.stopService('post-service');
      await stack.startService('post-service', { env: { CACHE_ENABLED: 'true' } });
    }
  },
};
