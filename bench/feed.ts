/**
 * The home feed benchmark on its own: `npx tsx --conditions=@social/source bench/feed.ts` after `npm run build`.
 * Starts the stack like bench/run.ts, runs bench/scenarios/feed.ts, prints a table and writes
 * bench/results/feed-<date>.json.
 */
import fs from 'node:fs';
import path from 'node:path';
import { startStack } from '../scripts/stack/start-stack';
import { feedScenario } from './scenarios/feed';

async function main(): Promise<void> {
  console.log('starting the stack (built code)...');
  const stack = await startStack({
    shared: {
      LOG_LEVEL: 'warn',
      TRUST_PROXY: 'false',
      RATE_LIMIT_IP_MAX: '100000000',
      RATE_LIMIT_USER_MAX: '100000000',
      AUTH_RATE_LIMIT_MAX: '100000000',
      AUTH_IP_RATE_LIMIT_MAX: '100000000',
    },
  });
  try {
    const result = await feedScenario(stack);
    console.log('\nresults (latency in ms):');
    console.table(result.rows);
    const file = path.join(
      __dirname,
      'results',
      `feed-${new Date().toISOString().replace(/[:.]/g, '-')}.json`,
    );
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), ...result }, null, 2));
    console.log(`written ${path.relative(process.cwd(), file)}`);
  } finally {
    await stack.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
