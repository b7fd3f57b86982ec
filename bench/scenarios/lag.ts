import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { waitFor } from '@social/testkit/helpers';
import type { Db } from 'mongodb';
import type { RunningStack } from '../../scripts/stack/start-stack';
import type { BenchContext, Scenario } from '../lib/context';
import { countOf, histogramQuantile, minus, readBuckets, type Buckets } from '../lib/histogram';
import { DURATION_S, WARMUP_S, cpuSeconds, fire, median, rowOf, type Row } from '../lib/measure';
import { searchPostsCollection } from '../lib/search-db';
import { profileWhile } from '../profile';

const CREATE_RATE = 200;
const TARGET = 'p99 < 100 ms at 200 posts/s, 0 lost';

/**
 * Where a post's time goes on its way into search, each as the event's age (now - occurredAt, which
 * create-post sets just before its insert) when the stage is reached: post-service's relay, then search-service's
 * consumer. Read from each service's /metrics, so the bench measures what production would report.
 */
const STAGES = [
  {
    stage: 'claimed',
    what: 'relay leased the post (the insert, then its kick or a pass, the claim)',
    service: 'post-service',
    metric: 'outbox_event_lag_seconds',
    labels: { type: 'post.created', stage: 'claimed' },
  },
  {
    stage: 'confirmed',
    what: 'broker confirmed the publish',
    service: 'post-service',
    metric: 'outbox_event_lag_seconds',
    labels: { type: 'post.created', stage: 'confirmed' },
  },
  {
    stage: 'removed',
    what: 'event out of the outbox',
    service: 'post-service',
    metric: 'outbox_event_lag_seconds',
    labels: { type: 'post.created', stage: 'removed' },
  },
  {
    stage: 'delivered',
    what: "search-service's consumer got it",
    service: 'search-service',
    metric: 'events_delivery_lag_seconds',
    labels: { type: 'post.created' },
  },
  {
    stage: 'indexed',
    what: 'searchable (search_event_lag_seconds)',
    service: 'search-service',
    metric: 'search_event_lag_seconds',
    labels: { type: 'post.created' },
  },
] as const;

type Stage = (typeof STAGES)[number]['stage'];

/** The processes a post passes through; their CPU time per post shows what the box has to spare. */
const PROCESSES = ['api-gateway', 'post-service', 'search-service'] as const;

const snapshot = async (stack: RunningStack): Promise<Record<Stage, Buckets>> =>
  Object.fromEntries(
    await Promise.all(
      STAGES.map(
        async (s) => [s.stage, await readBuckets(stack.internalUrls[s.service], s.metric, s.labels)] as const,
      ),
    ),
  ) as Record<Stage, Buckets>;

const cpuNow = (stack: RunningStack): Record<string, number> => {
  const pids: [string, number | undefined][] = [
    ...PROCESSES.map((name): [string, number | undefined] => [name, stack.pid(name)]),
    ['mongodb (in memory)', stack.mongoPid()],
  ];
  return Object.fromEntries(
    pids.filter((p): p is [string, number] => p[1] !== undefined).map(([n, pid]) => [n, cpuSeconds(pid)]),
  );
};

const HOP_PROBE_MS = 1500;

/**
 * Round trips between processes on a post's way from create-post's insert to searchable, one after another:
 * the insert, the relay's claim, the publish through the broker to search-service, and its tombstone check,
 * upsert and second tombstone check.
 */
const HOPS_ON_PATH = 6;

/**
 * One round trip to an otherwise idle process on this box, right now: `ping` to the stack's MongoDB, one after
 * another. Every stage above is made of such hops (the insert, the claim, the publish to the broker and on to
 * search-service, its three index writes), and on a box shared with other work each waits for a core.
 */
async function probeHop(db: Db): Promise<{ count: number; p50Ms: number; p99Ms: number }> {
  const times: number[] = [];
  const until = performance.now() + HOP_PROBE_MS;
  while (performance.now() < until) {
    const start = performance.now();
    await db.command({ ping: 1 });
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const at = (q: number): number =>
    Math.round((times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? NaN) * 10) / 10;
  return { count: times.length, p50Ms: at(0.5), p99Ms: at(0.99) };
}

interface RoundResult {
  rate: number;
  row: Row;
  created: number;
  indexed: number;
  lost: number;
  /** Per stage: how many events were observed, and their age's p50/p99 in ms. */
  stages: Record<Stage, { count: number; p50Ms: number; p99Ms: number }>;
  /** CPU ms each process spent per created post over the run (load + drain). */
  cpuMsPerPost: Record<string, number>;
  loadavg: number;
  /** A MongoDB round trip just before the load (see probeHop). */
  hop: { count: number; p50Ms: number; p99Ms: number };
}

const ms = (seconds: number): number => Math.round(seconds * 1000);

async function runRound(ctx: BenchContext, rate: number, durationS = DURATION_S): Promise<RoundResult> {
  const { stack } = ctx;
  const { searchPosts, db, close } = await searchPostsCollection(stack);
  try {
    const hop = await probeHop(db);
    const before = await snapshot(stack);
    const cpuBefore = cpuNow(stack);
    // Letters only, so the text index keeps it as one word. Anchored with the space after it: a round's marker
    // (the clock's letters, before) could be the prefix of a later round's and counted its posts too.
    const marker = `lagmark${[...randomBytes(8)].map((b) => String.fromCharCode(97 + (b % 26))).join('')}`;
    const countMarked = (): Promise<number> =>
      searchPosts.countDocuments({ content: { $regex: `^${marker} ` } });
    const createRun = await fire(
      {
        url: `${stack.gatewayUrl}/v1/posts/create-post`,
        method: 'POST',
        headers: { ...ctx.auth, 'content-type': 'application/json' },
        body: JSON.stringify({ content: `${marker} fixed rate post` }),
        overallRate: rate,
        connections: 20,
      },
      durationS,
    );
    const created = createRun['2xx'];
    await waitFor(async () => (await countMarked()) >= created, {
      timeoutMs: 60_000,
      intervalMs: 250,
    }).catch(() => undefined);
    const indexed = await countMarked();
    const cpuAfter = cpuNow(stack);
    const after = await snapshot(stack);
    const stages = Object.fromEntries(
      STAGES.map((s) => {
        const delta = minus(after[s.stage], before[s.stage]);
        return [
          s.stage,
          {
            count: countOf(delta),
            p50Ms: ms(histogramQuantile(0.5, delta)),
            p99Ms: ms(histogramQuantile(0.99, delta)),
          },
        ];
      }),
    ) as RoundResult['stages'];
    const cpuMsPerPost = Object.fromEntries(
      Object.entries(cpuAfter).map(([n, s]) => [
        n,
        Math.round((((s - (cpuBefore[n] ?? 0)) * 1000) / Math.max(created, 1)) * 100) / 100,
      ]),
    );
    const row = rowOf(`POST /v1/posts/create-post @ ${rate}/s`, createRun);
    // autocannon leaves out requests still in flight when it stops, so indexed can exceed its 2xx count.
    const lost = Math.max(0, created - indexed);
    const loadavg = Math.round((os.loadavg()[0] ?? 0) * 10) / 10;
    const result = { rate, row, created, indexed, lost, stages, cpuMsPerPost, loadavg, hop };
    console.log(
      `  @ ${rate}/s: ${createRun.requests.average} req/s, ${created} created, ${indexed} indexed, lag p50 ` +
        `${stages.indexed.p50Ms} ms, p99 ${stages.indexed.p99Ms} ms, load ${loadavg}, ` +
        `MongoDB round trip before it p50 ${hop.p50Ms} ms, p99 ${hop.p99Ms} ms`,
    );
    return result;
  } finally {
    await close();
  }
}

/** The median of each number over the rounds at one rate. */
function summarize(rounds: RoundResult[]): RoundResult {
  const first = rounds[0] as RoundResult;
  const of = (pick: (r: RoundResult) => number): number => median(rounds.map(pick));
  const stages = Object.fromEntries(
    STAGES.map((s) => [
      s.stage,
      {
        count: of((r) => r.stages[s.stage].count),
        p50Ms: of((r) => r.stages[s.stage].p50Ms),
        p99Ms: of((r) => r.stages[s.stage].p99Ms),
      },
    ]),
  ) as RoundResult['stages'];
  return {
    rate: first.rate,
    row: {
      ...first.row,
      reqPerSec: of((r) => r.row.reqPerSec),
      p50: of((r) => r.row.p50),
      p97_5: of((r) => r.row.p97_5),
      p99: of((r) => r.row.p99),
      errors: rounds.reduce((s, r) => s + r.row.errors, 0),
      non2xx: rounds.reduce((s, r) => s + r.row.non2xx, 0),
    },
    created: of((r) => r.created),
    indexed: of((r) => r.indexed),
    lost: rounds.reduce((s, r) => s + r.lost, 0),
    stages,
    cpuMsPerPost: Object.fromEntries(
      Object.keys(first.cpuMsPerPost).map((n) => [n, of((r) => r.cpuMsPerPost[n] ?? 0)]),
    ),
    loadavg: of((r) => r.loadavg),
    hop: {
      count: of((r) => r.hop.count),
      p50Ms: of((r) => r.hop.p50Ms),
      p99Ms: of((r) => r.hop.p99Ms),
    },
  };
}

const PROFILED = ['post-service', 'search-service'] as const;

/**
 * `--profile`: one more round at the headline rate with post-service and search-service under --cpu-prof
 * (restarted for it: the outbox and the durable queue carry events over), and their hottest functions.
 */
async function profileRound(ctx: BenchContext, rate: number): Promise<void> {
  console.log(` ${rate} posts/s under --cpu-prof`);
  const profiled = await profileWhile(ctx.stack, PROFILED, () => runRound(ctx, rate), 20);
  ctx.extra.lagProfiles = Object.fromEntries(profiled.map((p) => [p.name, { file: p.file, top: p.top }]));
}

/**
 * Posts created at fixed rates through the gateway; how long until each is searchable, and where that time
 * goes (per stage, see STAGES), with each process's CPU per post to tell queueing for a core from the pipeline.
 */
export const lag: Scenario = {
  name: 'lag',
  description: `POST /v1/posts/create-post at fixed rates (default ${CREATE_RATE}/s), post.created -> searchable lag by stage`,
  async run(ctx) {
    const rates = ctx.args.lagRates ?? [CREATE_RATE];
    const perRate: RoundResult[] = [];
    const all: RoundResult[] = [];
    // A freshly started stack runs its first posts cold (JIT, pools, first writes to each collection): whichever
    // rate went first read up to twice as slow. The warm-up is drained before the first measured round.
    console.log(` warm-up: ${WARMUP_S} s at ${rates[0] ?? CREATE_RATE} posts/s`);
    await runRound(ctx, rates[0] ?? CREATE_RATE, WARMUP_S);
    for (const rate of rates) {
      const rounds: RoundResult[] = [];
      for (let round = 1; round <= ctx.args.rounds; round++) {
        console.log(` ${rate} posts/s, round ${round} of ${ctx.args.rounds}`);
        rounds.push(await runRound(ctx, rate));
      }
      all.push(...rounds);
      const summary = summarize(rounds);
      perRate.push(summary);
      ctx.rows.push({
        ...summary.row,
        note:
          `lag p50 ${summary.stages.indexed.p50Ms} ms, p99 ${summary.stages.indexed.p99Ms} ms, ` +
          `lost ${summary.lost} (median of ${rounds.length})`,
      });
    }
    console.log(' post.created age (ms) at each stage, median of the rounds (p50 / p99):');
    console.table(
      STAGES.map((s) => ({
        stage: s.stage,
        reached: s.what,
        ...Object.fromEntries(
          perRate.map((r) => [`@${r.rate}/s`, `${r.stages[s.stage].p50Ms} / ${r.stages[s.stage].p99Ms}`]),
        ),
      })),
    );
    console.log(
      ' one MongoDB round trip on this box just before each round (ms, p50 / p99): ' +
        perRate.map((r) => `@${r.rate}/s ${r.hop.p50Ms} / ${r.hop.p99Ms}`).join(', '),
    );
    console.log(' CPU ms per post of each process (load and drain), median of the rounds:');
    const cores = (r: RoundResult): number =>
      Math.round((Object.values(r.cpuMsPerPost).reduce((a, b) => a + b, 0) * r.rate) / 100) / 10;
    console.table([
      ...Object.keys(perRate[0]?.cpuMsPerPost ?? {}).map((n) => ({
        process: n,
        ...Object.fromEntries(perRate.map((r) => [`@${r.rate}/s`, r.cpuMsPerPost[n]])),
      })),
      {
        process: `cores these need at the target rate (box: ${os.cpus().length})`,
        ...Object.fromEntries(perRate.map((r) => [`@${r.rate}/s`, cores(r)])),
      },
    ]);
    console.log(
      ` the path's ${HOPS_ON_PATH} round trips between processes, at an idle MongoDB's p50: ` +
        perRate.map((r) => `@${r.rate}/s ${Math.round(HOPS_ON_PATH * r.hop.p50Ms * 10) / 10} ms`).join(', ') +
        '; the rest of the lag is CPU work on the path and waiting for a core',
    );
    const headline = perRate.find((r) => r.rate === CREATE_RATE) ?? perRate[perRate.length - 1];
    ctx.extra.createLag = {
      target: TARGET,
      headline: headline && {
        rate: headline.rate,
        created: headline.created,
        indexed: headline.indexed,
        lost: headline.lost,
        lagP50Ms: headline.stages.indexed.p50Ms,
        lagP99Ms: headline.stages.indexed.p99Ms,
      },
      hopsOnPath: HOPS_ON_PATH,
      perRate: perRate.map((r) => {
        const { row: _row, ...numbers } = r;
        return {
          ...numbers,
          coresNeeded: cores(r),
          pathHopsMs: Math.round(HOPS_ON_PATH * r.hop.p50Ms * 10) / 10,
        };
      }),
      rounds: all.map(({ row, ...r }) => ({ ...r, createP50Ms: row.p50, createP99Ms: row.p99 })),
    };
    if (ctx.args.profile) await profileRound(ctx, headline?.rate ?? CREATE_RATE);
  },
};
