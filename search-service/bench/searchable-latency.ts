/**
 * post.created → searchable latency of the search-service consumer, against real RabbitMQ and the testkit
 * MongoDB (a real mongod when MONGO_TEST_URI is set). A script, not a test:
 *
 *   npx tsx --conditions=@social/source search-service/bench/searchable-latency.ts [--count 1000] [--rate 100] [--prefetch 10]
 *
 * After an unreported warm-up, two runs: a steady one at --rate events/s (latency of a consumer that keeps up) and a burst of --count events
 * published at once (latency including the queue backlog). Latency = from just before publish() until the
 * production post.created handler has returned, i.e. MongoDB acknowledged the write, so any later query sees it
 * (the text index is updated in the same write; the run double-checks a sample with $text). Timing the handler
 * instead of polling keeps the measurement from competing with the consumer for MongoDB.
 */
import { performance } from 'node:perf_hooks';
import amqp from 'amqplib';
import {
  consumerQueueNames,
  createEventBus,
  deadLetterExchangeName,
  EventTypes,
  newIntegrationEvent,
  type RetryOptions,
} from '@social/common/events';
import type { Logger } from '@social/common/logger';
import { createMetrics } from '@social/common/metrics';
import { connectMongo } from '@social/common/mongo';
import { silentLogger, uniqueName } from '@social/testkit/helpers';
import { startMongo } from '@social/testkit/mongo';
import type { SearchDeps } from '../src/deps';
import { createSearchEventMetrics } from '../src/events/search-event-metrics';
import { postEvents } from '../src/events/subscriptions';
import { createSearchPostModel, findPostsByText } from '../src/models/search-post.model';
import { createTombstoneModel } from '../src/models/tombstone.model';

const RABBITMQ_URL = 'amqp://guest:guest@127.0.0.1:5672';
const retry: RetryOptions = { maxAttempts: 3, backoffMs: [100] };

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a non-negative number`);
  return value;
}

const hex = (n: number): string => n.toString(16).padStart(24, '0');
/** A letters-only word unique to post n, so $text can find exactly that post. */
const word = (n: number): string => `bench${[...n.toString()].map((d) => 'abcdefghij'[Number(d)]).join('')}q`;

function percentile(sorted: number[], p: number): number {
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx] ?? NaN;
}

interface RunResult {
  name: string;
  eventsPerSecond: number;
  latenciesMs: number[];
}

/** One consumer + publisher on a fresh exchange and queue; publishes `count` events and times each one. */
async function run(
  name: string,
  deps: Omit<SearchDeps, 'eventMetrics'>,
  opts: { count: number; rate: number; prefetch: number; idOffset: number; log: Logger },
): Promise<RunResult> {
  const exchange = uniqueName('bench_ex');
  const queue = uniqueName('search-service.post-events.bench');
  const sentAt = new Map<string, number>();
  const doneAt = new Map<string, number>();
  let allDone: () => void = () => {};
  const finished = new Promise<void>((resolve) => (allDone = resolve));

  const metrics = createMetrics('search-service', { defaultMetrics: false });
  const sub = postEvents(
    { ...deps, eventMetrics: createSearchEventMetrics(metrics.registry) },
    { queue, prefetch: opts.prefetch },
  );
  const handleCreated = sub.handlers[EventTypes.PostCreated]!;
  const consumer = createEventBus({
    url: RABBITMQ_URL,
    appId: 'search-service',
    log: opts.log,
    exchange,
    retry,
  });
  await consumer.connect();
  await consumer.subscribe({
    ...sub,
    handlers: {
      ...sub.handlers,
      // The production handler, timed from the outside.
      [EventTypes.PostCreated]: async (event, ctx) => {
        await handleCreated(event, ctx);
        doneAt.set(event.data.postId, performance.now());
        if (doneAt.size === opts.count) allDone();
      },
    },
  });
  const publisher = createEventBus({ url: RABBITMQ_URL, appId: 'post-service', log: opts.log, exchange });
  await publisher.connect();

  const t0 = performance.now();
  const confirms: Promise<void>[] = [];
  for (let i = 0; i < opts.count; i++) {
    if (opts.rate > 0) {
      const wait = t0 + (i * 1000) / opts.rate - performance.now();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    const n = opts.idOffset + i;
    const event = newIntegrationEvent(EventTypes.PostCreated, {
      postId: hex(n),
      userId: hex(1),
      content: `benchmark post number ${n} about running ${word(n)}`,
      mediaIds: [],
      createdAt: new Date().toISOString(),
    });
    sentAt.set(event.data.postId, performance.now());
    confirms.push(publisher.publish(event));
  }
  await Promise.all(confirms);
  const timeout = setTimeout(allDone, 300_000);
  await finished;
  clearTimeout(timeout);
  const seconds = (performance.now() - t0) / 1000;

  await Promise.all([consumer.close(), publisher.close()]);
  const c = await amqp.connect(RABBITMQ_URL);
  const ch = await c.createChannel();
  for (const q of consumerQueueNames(queue, retry.backoffMs)) await ch.deleteQueue(q);
  await ch.deleteExchange(exchange);
  await ch.deleteExchange(deadLetterExchangeName(exchange));
  await c.close();

  if (doneAt.size < opts.count)
    throw new Error(`${name}: only ${doneAt.size}/${opts.count} became searchable`);
  const latenciesMs = [...sentAt].map(([id, t]) => (doneAt.get(id) ?? NaN) - t).sort((a, b) => a - b);
  return { name, eventsPerSecond: opts.count / seconds, latenciesMs };
}

async function main(): Promise<void> {
  const count = arg('count', 1000);
  const rate = arg('rate', 100);
  const prefetch = arg('prefetch', 10);
  const log = silentLogger('search-bench');
  const mongo = await startMongo();
  const conn = await connectMongo({ uri: mongo.uri, log });
  const searchPosts = createSearchPostModel(conn);
  const tombstones = createTombstoneModel(conn, { ttlSeconds: 86_400 });
  await Promise.all([searchPosts.init(), tombstones.init()]);
  const deps = { log, searchPosts, tombstones };

  // Warm-up (not reported): JIT, connection pools and the broker's queue code paths.
  await run('warm-up', deps, { count: 200, rate: 0, prefetch, idOffset: 9_000_000, log });
  const results = [
    await run(`steady ${rate}/s`, deps, { count, rate, prefetch, idOffset: 1_000_000, log }),
    await run('burst (all at once)', deps, { count, rate: 0, prefetch, idOffset: 2_000_000, log }),
  ];

  // The handler's acknowledged write is what search reads: a sample must be found by $text as well.
  for (const n of [1_000_000, 1_000_000 + Math.floor(count / 2), 2_000_000 + count - 1]) {
    const hits = await findPostsByText(searchPosts, { text: word(n), skip: 0, limit: 1 });
    if (hits[0]?.postId !== hex(n)) throw new Error(`text search did not find post ${n}`);
  }
  await conn.close();
  await mongo.stop();

  const fmt = (ms: number): string => ms.toFixed(1).padStart(8);
  console.log(
    `\npost.created → searchable (MongoDB: ${mongo.backend}, prefetch ${prefetch}, ${count} events per run)`,
  );
  console.log('run                   events/s   p50 ms   p90 ms   p99 ms   max ms');
  for (const r of results) {
    const l = r.latenciesMs;
    console.log(
      `${r.name.padEnd(20)} ${r.eventsPerSecond.toFixed(0).padStart(9)} ${fmt(percentile(l, 50))} ${fmt(percentile(l, 90))} ${fmt(percentile(l, 99))} ${fmt(l[l.length - 1] ?? NaN)}`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
