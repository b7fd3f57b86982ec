/**
 * `npm run bench`: the stack as real processes, autocannon against it, a table on stdout and
 * bench/results/<date>.json. `-- --profile` also writes a CPU profile of the gateway under the cached-GET load
 * and prints its hottest functions. Numbers, not assertions: targets are printed beside them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import autocannon from 'autocannon';
import { createEventBus, EventTypes, newIntegrationEvent } from '@social/common/events';
import { createLogger } from '@social/common/logger';
import { waitFor } from '@social/testkit/helpers';
import { MongoClient } from 'mongodb';
import { startStack, type RunningStack } from '../scripts/stack/start-stack';
import { summarizeProfile } from './profile';

const WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? 2);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 8);
const CONNECTIONS = 20;
const SEARCH_POSTS = 10_000;
const CREATE_RATE = 200;
const profile = process.argv.includes('--profile');

interface Row {
  scenario: string;
  reqPerSec: number;
  p50: number;
  p97_5: number;
  p99: number;
  errors: number;
  non2xx: number;
  note?: string;
}
const rows: Row[] = [];
const extra: Record<string, unknown> = {};

interface Load {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  connections?: number;
  overallRate?: number;
  duration?: number;
}

const fire = (load: Load, duration: number): Promise<autocannon.Result> =>
  autocannon({
    url: load.url,
    method: load.method ?? 'GET',
    headers: load.headers,
    body: load.body,
    connections: load.connections ?? CONNECTIONS,
    overallRate: load.overallRate,
    duration,
  });

async function measure(scenario: string, load: Load, note?: string): Promise<Row> {
  await fire(load, WARMUP_S);
  const r = await fire(load, load.duration ?? DURATION_S);
  const row: Row = {
    scenario,
    reqPerSec: Math.round(r.requests.average),
    p50: r.latency.p50,
    p97_5: r.latency.p97_5,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
    note,
  };
  rows.push(row);
  console.log(
    `  ${scenario}: ${row.reqPerSec} req/s, p50 ${row.p50} ms, p99 ${row.p99} ms, non-2xx ${row.non2xx}`,
  );
  return row;
}

const json = async <T>(res: Promise<Response>): Promise<T> => (await (await res).json()) as T;

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

/** CPU seconds (user + system) a process used so far, from /proc (clock ticks are 100 Hz on Linux). */
function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function main(): Promise<void> {
  const profileDir = path.join(os.tmpdir(), `social-bench-profile-${Date.now()}`);
  console.log('starting the stack (built code)...');
  const stack: RunningStack = await startStack({
    shared: {
      LOG_LEVEL: 'warn',
      TRUST_PROXY: 'false',
      RATE_LIMIT_IP_MAX: '100000000',
      RATE_LIMIT_USER_MAX: '100000000',
      AUTH_RATE_LIMIT_MAX: '100000000',
      AUTH_IP_RATE_LIMIT_MAX: '100000000',
    },
    // Login is measured with the production argon2id cost (OWASP), not the test stack's cheaper one.
    services: { 'identity-service': { env: { ARGON2_MEMORY_KIB: '19456', ARGON2_TIME_COST: '2' } } },
  });
  try {
    const gw = stack.gatewayUrl;
    const post = stack.urls['post-service'];
    const email = `bench${Date.now()}@example.com`;
    const password = 'bench-password-1';
    const reg = await json<{ accessToken: string }>(
      fetch(`${gw}/v1/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: `bench${Date.now()}`, email, password }),
      }),
    );
    const auth = { authorization: `Bearer ${reg.accessToken}` };
    const create = (content: string): Promise<{ post: { id: string } }> =>
      json(
        fetch(`${gw}/v1/posts/create-post`, {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json' },
          body: JSON.stringify({ content }),
        }),
      );
    const first = await create('a post to read over and over');
    for (let i = 0; i < 30; i++) await create(`list filler ${i}`);

    console.log('1. cached GET /v1/posts/:id, gateway vs direct');
    const viaGateway = await measure('GET /v1/posts/:id via gateway (cached)', {
      url: `${gw}/v1/posts/${first.post.id}`,
      headers: auth,
    });
    const direct = await measure('GET /api/posts/:id direct to post-service (cached)', {
      url: `${post}/api/posts/${first.post.id}`,
      headers: auth,
    });
    extra.gatewayOverhead = {
      p50Ratio: +(viaGateway.p50 / Math.max(direct.p50, 0.001)).toFixed(2),
      throughputRatio: +(viaGateway.reqPerSec / direct.reqPerSec).toFixed(2),
      targets: 'p50 <= 1.3x direct, throughput >= 0.8x direct',
    };

    if (profile) {
      fs.mkdirSync(profileDir, { recursive: true });
      await stack.stopService('api-gateway');
      await stack.startService('api-gateway', { nodeArgs: ['--cpu-prof', '--cpu-prof-dir', profileDir] });
      await fire({ url: `${gw}/v1/posts/${first.post.id}`, headers: auth }, DURATION_S);
      await stack.stopService('api-gateway');
      await stack.startService('api-gateway', { nodeArgs: [] });
      const file = fs.readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
      if (file) {
        extra.gatewayProfile = summarizeProfile(path.join(profileDir, file), 25);
        console.log('gateway CPU profile, hottest functions by self time:');
        console.table(extra.gatewayProfile);
      }
    }

    console.log('2. GET /v1/posts/all-posts, cached vs CACHE_ENABLED=false');
    const listUrl = `${gw}/v1/posts/all-posts?page=1&limit=10`;
    await measure('GET /v1/posts/all-posts (cache on)', { url: listUrl, headers: auth });
    await stack.stopService('post-service');
    await stack.startService('post-service', { env: { CACHE_ENABLED: 'false' } });
    await measure('GET /v1/posts/all-posts (cache off)', { url: listUrl, headers: auth });
    await measure('GET /v1/posts/:id via gateway (cache off)', {
      url: `${gw}/v1/posts/${first.post.id}`,
      headers: auth,
    });
    await stack.stopService('post-service');
    await stack.startService('post-service', { env: { CACHE_ENABLED: 'true' } });

    console.log(`3. GET /v1/search/posts over ${SEARCH_POSTS} posts (seeding through the event exchange)`);
    const mongo = new MongoClient(stack.env['search-service'].MONGO_URI as string);
    await mongo.connect();
    const searchPosts = mongo.db().collection('search_posts');
    const base = await searchPosts.countDocuments();
    const log = createLogger({ service: 'bench', level: 'warn', json: false });
    const bus = createEventBus({
      url: stack.env['post-service'].RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
      appId: 'bench',
      log,
      exchange: stack.env['post-service'].EVENTS_EXCHANGE,
    });
    await bus.connect();
    const words = [
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
    const userId = '0123456789abcdef01234567';
    const seedStart = Date.now();
    for (let i = 0; i < SEARCH_POSTS; i += 250) {
      await Promise.all(
        Array.from({ length: Math.min(250, SEARCH_POSTS - i) }, (_, k) => {
          const n = i + k;
          const postId = (0x10000000 + n).toString(16).padStart(24, 'a');
          const content = `${words[n % 10]} and ${words[(n * 7) % 10]} post ${n} ${n % 100 === 0 ? 'rareword' : ''}`;
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
    extra.searchSeed = { posts: SEARCH_POSTS, seconds: (Date.now() - seedStart) / 1000 };
    await measure('GET /v1/search/posts?query=rareword (100 hits)', {
      url: `${gw}/v1/search/posts?query=rareword&limit=10`,
      headers: auth,
    });
    await measure('GET /v1/search/posts?query=coffee (~2000 hits)', {
      url: `${gw}/v1/search/posts?query=coffee&limit=10`,
      headers: auth,
    });

    console.log(`4. POST /v1/posts/create-post at ${CREATE_RATE}/s, post.created -> searchable lag`);
    const lagBefore = await lagBuckets(stack.internalUrls['search-service']);
    const marker = `lagmark${Date.now().toString(36).replace(/\d/g, '')}`;
    const countMarked = (): Promise<number> => searchPosts.countDocuments({ content: { $regex: marker } });
    const createRun = await fire(
      {
        url: `${gw}/v1/posts/create-post`,
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ content: `${marker} fixed rate post` }),
        overallRate: CREATE_RATE,
        connections: 20,
      },
      DURATION_S,
    );
    const created = createRun['2xx'];
    await waitFor(async () => (await countMarked()) >= created, { timeoutMs: 60_000, intervalMs: 250 }).catch(
      () => undefined,
    );
    const indexed = await countMarked();
    const lagAfter = await lagBuckets(stack.internalUrls['search-service']);
    const lagDelta = lagAfter.map(([le, c], i) => [le, c - (lagBefore[i]?.[1] ?? 0)] as [number, number]);
    const lag = {
      created,
      indexed,
      // autocannon leaves out requests still in flight when it stops, so indexed can exceed its 2xx count.
      lost: Math.max(0, created - indexed),
      lagP50Ms: Math.round(histogramQuantile(0.5, lagDelta) * 1000),
      lagP99Ms: Math.round(histogramQuantile(0.99, lagDelta) * 1000),
      target: 'p99 < 100 ms at 200 posts/s, 0 lost',
    };
    extra.createLag = lag;
    rows.push({
      scenario: `POST /v1/posts/create-post @ ${CREATE_RATE}/s`,
      reqPerSec: Math.round(createRun.requests.average),
      p50: createRun.latency.p50,
      p97_5: createRun.latency.p97_5,
      p99: createRun.latency.p99,
      errors: createRun.errors + createRun.timeouts,
      non2xx: createRun.non2xx,
      note: `lag p50 ${lag.lagP50Ms} ms, p99 ${lag.lagP99Ms} ms, lost ${lag.lost}`,
    });
    console.log('  ', lag);
    await bus.close();
    await mongo.close();

    console.log('5. POST /v1/auth/login (argon2id m=19456 KiB, t=2, p=1)');
    const identityPid = stack.pid('identity-service') as number;
    const cpuBefore = cpuSeconds(identityPid);
    const loginBody = JSON.stringify({ email, password });
    const login = await fire(
      {
        url: `${gw}/v1/auth/login`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: loginBody,
        connections: 4,
      },
      DURATION_S,
    );
    const cpuMsPerLogin = ((cpuSeconds(identityPid) - cpuBefore) * 1000) / Math.max(login['2xx'], 1);
    extra.login = { logins: login['2xx'], cpuMsPerLogin: +cpuMsPerLogin.toFixed(1) };
    rows.push({
      scenario: 'POST /v1/auth/login',
      reqPerSec: Math.round(login.requests.average),
      p50: login.latency.p50,
      p97_5: login.latency.p97_5,
      p99: login.latency.p99,
      errors: login.errors + login.timeouts,
      non2xx: login.non2xx,
      note: `${cpuMsPerLogin.toFixed(1)} CPU ms per login (identity-service)`,
    });
  } finally {
    await stack.stop();
  }

  console.log('\nresults (latency in ms):');
  console.table(rows);
  console.log(extra);
  const file = path.join(__dirname, 'results', `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(
    file,
    JSON.stringify(
      {
        at: new Date().toISOString(),
        warmupS: WARMUP_S,
        durationS: DURATION_S,
        connections: CONNECTIONS,
        rows,
        ...extra,
      },
      null,
      2,
    ),
  );
  console.log(`written ${path.relative(process.cwd(), file)}`);
  await delay(0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
