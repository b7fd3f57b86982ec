import { startBareProxy } from '../lib/bare-proxy';
import type { BenchContext, Scenario } from '../lib/context';
import { DURATION_S, fire, measure, median, printRow, type MeteredProcess, type Row } from '../lib/measure';
import { redisPid } from '../lib/redis-pid';
import { profileWhile } from '../profile';

const CONNECTIONS = 32;

const TARGETS = {
  cpuRatio: 2.5,
  throughputRatio: 0.6,
  p50Ratio: 1.5,
};

type Path = 'direct' | 'bare' | 'gateway';

const LABEL: Record<Path, string> = {
  direct: 'GET /api/posts/:id direct to post-service (cached)',
  bare: 'GET /api/posts/:id via bare node:http proxy (cached)',
  gateway: 'GET /v1/posts/:id via api-gateway (cached)',
};

/** The median of each number over the rounds (each round measured direct, bare and gateway back to back). */
function medianRow(rows: Row[]): Row {
  const first = rows[0] as Row;
  const of = (pick: (r: Row) => number | undefined): number => median(rows.map((r) => pick(r) ?? 0));
  return {
    ...first,
    reqPerSec: of((r) => r.reqPerSec),
    p50: of((r) => r.p50),
    p97_5: of((r) => r.p97_5),
    p99: of((r) => r.p99),
    errors: rows.reduce((s, r) => s + r.errors, 0),
    non2xx: rows.reduce((s, r) => s + r.non2xx, 0),
    cpuUsPerReq: first.cpuUsPerReq === undefined ? undefined : of((r) => r.cpuUsPerReq),
    cpuSplitUsPerReq:
      first.cpuSplitUsPerReq === undefined
        ? undefined
        : Object.fromEntries(
            Object.keys(first.cpuSplitUsPerReq).map((name) => [name, of((r) => r.cpuSplitUsPerReq?.[name])]),
          ),
    note: `median of ${rows.length}`,
  };
}

async function profileGateway(ctx: BenchContext, url: string): Promise<void> {
  console.log('gateway under --cpu-prof:');
  const [gateway] = await profileWhile(ctx.stack, ['api-gateway'], () =>
    fire({ url, headers: ctx.auth, connections: CONNECTIONS }, DURATION_S),
  );
  if (gateway) ctx.extra.gatewayProfile = { file: gateway.file, top: gateway.top };
}

/**
 * The cost of the gateway as a proxy hop: the same cached `GET /posts/:id` straight to post-service, through a
 * bare `node:http` keep-alive proxy (bench/bare-proxy.ts) and through api-gateway, in one run, with each hop's
 * own CPU time per request from /proc. The ratios gateway ÷ bare are what issue 19 sets targets for.
 */
export const hop: Scenario = {
  name: 'hop',
  description: `cached GET /posts/:id, ${CONNECTIONS} connections: direct vs bare node:http proxy vs gateway`,
  async run(ctx) {
    const { stack } = ctx;
    const postUrl = stack.urls['post-service'];
    const bare = await startBareProxy(postUrl);
    try {
      const postService = { name: 'post-service', pid: stack.pid('post-service') as number };
      const gateway = { name: 'api-gateway', pid: stack.pid('api-gateway') as number };
      const bareProxy = { name: 'bare proxy', pid: bare.pid };
      const redisUrl = stack.env['api-gateway'].REDIS_URL ?? 'redis://127.0.0.1:6379';
      const redis = { name: 'redis', pid: await redisPid(redisUrl) };
      const benchItself = { name: 'bench', pid: process.pid };
      // Every process's CPU per request beside the hop's own: on 2 cores, throughput is bounded by their sum.
      const cpuSplit = (hop: MeteredProcess): MeteredProcess[] =>
        [hop, postService, redis, benchItself].filter((p, i, all) => p.pid > 0 && all.indexOf(p) === i);
      const run = (label: string, url: string, hop: MeteredProcess): Promise<Row> =>
        measure(
          label,
          { url, headers: ctx.auth, connections: CONNECTIONS },
          { cpuOf: hop, cpuSplit: cpuSplit(hop) },
        );
      const runs: Record<Path, () => Promise<Row>> = {
        direct: () => run(LABEL.direct, `${postUrl}/api/posts/${ctx.postId}`, postService),
        bare: () => run(LABEL.bare, `${bare.url}/api/posts/${ctx.postId}`, bareProxy),
        gateway: () => run(LABEL.gateway, `${stack.gatewayUrl}/v1/posts/${ctx.postId}`, gateway),
      };
      const all: Record<Path, Row[]> = { direct: [], bare: [], gateway: [] };
      for (let round = 1; round <= ctx.args.rounds; round++) {
        console.log(` round ${round} of ${ctx.args.rounds}`);
        for (const p of ['direct', 'bare', 'gateway'] as const) all[p].push(await runs[p]());
      }
      const direct = medianRow(all.direct);
      const viaBare = medianRow(all.bare);
      const viaGateway = medianRow(all.gateway);
      console.log(` medians of ${ctx.args.rounds} rounds:`);
      for (const row of [direct, viaBare, viaGateway]) {
        printRow(row);
        ctx.rows.push(row);
      }
      const ratio = (a: number, b: number): number => +(a / Math.max(b, 0.001)).toFixed(2);
      // Each round's gateway and bare runs are back to back, under the same background load: the ratio is taken
      // per round, and the median of those is the headline (steadier on a shared machine than medians' ratio).
      const perRound = all.gateway.map((g, i) => {
        const b = all.bare[i] as Row;
        return {
          cpuRatio: ratio(g.cpuUsPerReq ?? 0, b.cpuUsPerReq ?? 0),
          throughputRatio: ratio(g.reqPerSec, b.reqPerSec),
          p50Ratio: ratio(g.p50, b.p50),
        };
      });
      const ratios = {
        cpuRatio: median(perRound.map((r) => r.cpuRatio)),
        throughputRatio: median(perRound.map((r) => r.throughputRatio)),
        p50Ratio: median(perRound.map((r) => r.p50Ratio)),
      };
      const met = {
        cpuRatio: ratios.cpuRatio <= TARGETS.cpuRatio,
        throughputRatio: ratios.throughputRatio >= TARGETS.throughputRatio,
        p50Ratio: ratios.p50Ratio <= TARGETS.p50Ratio,
      };
      ctx.extra.hop = { connections: CONNECTIONS, rounds: all, perRound, ratios, targets: TARGETS, met };
      console.log(` gateway ÷ bare proxy, median of the ${perRound.length} rounds' ratios:`);
      console.table([
        {
          ratio: 'CPU per request',
          value: ratios.cpuRatio,
          target: `<= ${TARGETS.cpuRatio}`,
          met: met.cpuRatio,
        },
        {
          ratio: 'throughput',
          value: ratios.throughputRatio,
          target: `>= ${TARGETS.throughputRatio}`,
          met: met.throughputRatio,
        },
        { ratio: 'p50', value: ratios.p50Ratio, target: `<= ${TARGETS.p50Ratio}`, met: met.p50Ratio },
      ]);
    } finally {
      await bare.stop();
    }
    if (ctx.args.profile) await profileGateway(ctx, `${stack.gatewayUrl}/v1/posts/${ctx.postId}`);
  },
};
