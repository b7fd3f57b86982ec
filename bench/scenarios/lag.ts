import { waitFor } from '@social/testkit/helpers';
import type { Scenario } from '../lib/context';
import { DURATION_S, fire, rowOf } from '../lib/measure';
import { searchPostsCollection } from '../lib/search-db';

const CREATE_RATE = 200;

/** Quantile from a Prometheus histogram's cumulative buckets (linear within a bucket, like histogram_quantile). */
function histogramQuantile(q: number, buckets: [number, number][]): number {
  const total = buckets[buckets.length - 1]?.[1] ?? 0;
  if (total === 0) return NaN;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const [le, count] of buckets) {
    if (count >= rank) {
      if (!Number.isFinite(le)) return prevLe;
      return prevLe + ((le - prevLe) * (rank - prevCount)) / Math.max(count - prevCount, 1);
    }
    prevLe = le;
    prevCount = count;
  }
  return prevLe;
}

async function lagBuckets(url: string): Promise<[number, number][]> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('search_event_lag_seconds_bucket') && l.includes('type="post.created"'))
    .map((l) => {
      const le = /le="([^"]+)"/.exec(l)?.[1] ?? '+Inf';
      return [le === '+Inf' ? Infinity : Number(le), Number(l.slice(l.lastIndexOf(' ') + 1))] as [
        number,
        number,
      ];
    });
}

/** Posts created at a fixed rate through the gateway; how long until each is searchable (search-service's histogram). */
export const lag: Scenario = {
  name: 'lag',
  description: `POST /v1/posts/create-post at ${CREATE_RATE}/s, post.created -> searchable lag`,
  async run(ctx) {
    const { stack } = ctx;
    const { searchPosts, close } = await searchPostsCollection(stack);
    try {
      const lagBefore = await lagBuckets(stack.internalUrls['search-service']);
      const marker = `lagmark${Date.now().toString(36).replace(/\d/g, '')}`;
      const countMarked = (): Promise<number> => searchPosts.countDocuments({ content: { $regex: marker } });
      const createRun = await fire(
        {
          url: `${stack.gatewayUrl}/v1/posts/create-post`,
          method: 'POST',
          headers: { ...ctx.auth, 'content-type': 'application/json' },
          body: JSON.stringify({ content: `${marker} fixed rate post` }),
          overallRate: CREATE_RATE,
          connections: 20,
        },
        DURATION_S,
      );
      const created = createRun['2xx'];
      await waitFor(async () => (await countMarked()) >= created, {
        timeoutMs: 60_000,
        intervalMs: 250,
      }).catch(() => undefined);
      const indexed = await countMarked();
      const lagAfter = await lagBuckets(stack.internalUrls['search-service']);
      const lagDelta = lagAfter.map(([le, c], i) => [le, c - (lagBefore[i]?.[1] ?? 0)] as [number, number]);
      const result = {
        created,
        indexed,
        // autocannon leaves out requests still in flight when it stops, so indexed can exceed its 2xx count.
        lost: Math.max(0, created - indexed),
        lagP50Ms: Math.round(histogramQuantile(0.5, lagDelta) * 1000),
        lagP99Ms: Math.round(histogramQuantile(0.99, lagDelta) * 1000),
        target: 'p99 < 100 ms at 200 posts/s, 0 lost',
      };
      ctx.extra.createLag = result;
      ctx.rows.push(
        rowOf(
          `POST /v1/posts/create-post @ ${CREATE_RATE}/s`,
          createRun,
          `lag p50 ${result.lagP50Ms} ms, p99 ${result.lagP99Ms} ms, lost ${result.lost}`,
        ),
      );
      console.log('  ', result);
    } finally {
      await close();
    }
  },
};
