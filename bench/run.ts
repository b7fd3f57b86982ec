/**
 * `npm run bench`: the stack as real processes, autocannon against it, a table on stdout and
 * bench/results/<date>.json. Scenarios are modules under bench/scenarios/ (listed in its index.ts);
 * `-- --only=hop,lag` runs some of them, `-- --rounds=N` repeats the hop comparison (median reported, default 3),
 * `-- --lag-rates=50,100,200` runs the lag scenario at those create rates (default 200/s), `-- --rounds` times each;
 * `-- --profile` also profiles under each scenario's load (hop: the gateway; lag: post-service and search-service;
 * feed: the gateway and post-service on both sides) and prints the hottest functions. Numbers, not assertions:
 * targets are printed beside them.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startStack } from '../scripts/stack/start-stack';
import { json, type BenchArgs, type BenchContext } from './lib/context';
import { CONNECTIONS, DURATION_S, WARMUP_S, type Row } from './lib/measure';
import { SCENARIOS } from './scenarios';

function parseArgs(argv: string[]): BenchArgs {
  const value = (name: string): string | undefined =>
    argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const only = value('only')
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = only?.filter((name) => !SCENARIOS.some((s) => s.name === name)) ?? [];
  if (unknown.length > 0) {
    throw new Error(
      `unknown scenario ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`,
    );
  }
  const lagRates = value('lag-rates')
    ?.split(',')
    .map(Number)
    .filter((n) => Number.isFinite(n) && n > 0);
  return {
    only,
    profile: argv.includes('--profile'),
    rounds: Math.max(1, Number(value('rounds') ?? 3)),
    ...(lagRates?.length ? { lagRates } : {}),
  };
}

/** The build measured: HEAD, marked dirty when the tree has changes (so a number is never pinned to the wrong code). */
function measuredBuild(): string {
  try {
    const git = (...args: string[]): string =>
      execFileSync('git', args, {
        cwd: __dirname,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
    return `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain') ? '-dirty' : ''}`;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

const table = (rows: Row[]): Record<string, unknown>[] =>
  rows.map((r) => ({
    scenario: r.scenario,
    'req/s': r.reqPerSec,
    'p50 ms': r.p50,
    'p99 ms': r.p99,
    'CPU µs/req': r.cpuUsPerReq === undefined ? '' : `${r.cpuUsPerReq} (${r.cpuOf})`,
    errors: r.errors,
    non2xx: r.non2xx,
    note: r.note ?? '',
  }));

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const scenarios = SCENARIOS.filter((s) => !args.only || args.only.includes(s.name));
  const commit = measuredBuild();
  console.log(
    `starting the stack (built code of ${commit}); scenarios: ${scenarios.map((s) => s.name).join(', ')}`,
  );
  const stack = await startStack({
    shared: {
      LOG_LEVEL: 'warn',
      TRUST_PROXY: 'false',
      RATE_LIMIT_IP_MAX: '100000000',
      RATE_LIMIT_USER_MAX: '100000000',
      AUTH_RATE_LIMIT_MAX: '100000000',
      AUTH_IP_RATE_LIMIT_MAX: '100000000',
    },
    services: {
      // The gateway as deployed: its access log (info) is on, one JSON line per request.
      'api-gateway': { env: { LOG_LEVEL: 'info' } },
      // Login is measured with the production argon2id cost (OWASP), not the test stack's cheaper one.
      'identity-service': { env: { ARGON2_MEMORY_KIB: '19456', ARGON2_TIME_COST: '2' } },
    },
  });
  const rows: Row[] = [];
  const extra: Record<string, unknown> = {};
  try {
    const gw = stack.gatewayUrl;
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
    const ctx: BenchContext = { stack, auth, email, password, postId: first.post.id, args, rows, extra };
    for (const [i, scenario] of scenarios.entries()) {
      console.log(`${i + 1}. ${scenario.name}: ${scenario.description}`);
      await scenario.run(ctx);
    }
  } finally {
    await stack.stop();
  }

  console.log('\nresults (latency in ms):');
  console.table(table(rows));
  const file = path.join(__dirname, 'results', `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(
    file,
    JSON.stringify(
      {
        at: new Date().toISOString(),
        commit,
        host: { cpus: os.cpus().length, loadavg: os.loadavg(), node: process.version },
        scenarios: scenarios.map((s) => s.name),
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
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
