import amqp from 'amqplib';
import type { Express } from 'express';
import type { Connection } from 'mongoose';
import {
  consumerQueueNames,
  createEventBus,
  deadLetterExchangeName,
  type EventBus,
  type RetryOptions,
  type Subscription,
} from '@social/common/events';
import { createReadinessProbe } from '@social/common/health';
import { createInternalApp } from '@social/common/http';
import { runWithContext, type Logger } from '@social/common/logger';
import { createMetrics, type Metrics } from '@social/common/metrics';
import { connectMongo } from '@social/common/mongo';
import { silentLogger, testJwtConfig, uniqueName } from '@social/testkit/helpers';
import { startMongo, type TestMongo } from '@social/testkit/mongo';
import { searchReadiness } from '../../src/readiness';
import { createApp } from '../../src/app';
import type { SearchDeps } from '../../src/domain/deps';
import { createSearchEventMetrics } from '../../src/metrics';
import { postEvents } from '../../src/events/subscriptions';
import { createSearchPostModel } from '../../src/models/search-post.model';
import { createTombstoneModel } from '../../src/models/tombstone.model';

export const RABBITMQ_URL = 'amqp://guest:guest@127.0.0.1:5672';

/** Short, bounded retries: a failing handler is retried within the test's patience, never forever. */
export const testRetry: RetryOptions = { maxAttempts: 8, backoffMs: [50, 100, 200, 400] };

export interface SearchHarness {
  app: Express;
  /** The internal listener's app: /metrics and /ready. */
  internal: Express;
  deps: SearchDeps;
  conn: Connection;
  mongo: TestMongo;
  metrics: Metrics;
  exchange: string;
  queue: string;
  /** The search-service consumer under test. */
  bus: EventBus;
  /** Stands in for post-service: publishes with the common bus, as the real publisher does. */
  publisher: EventBus;
  close(): Promise<void>;
}

export interface HarnessOptions {
  log?: Logger;
  /** Replace the production subscription, e.g. to hold a handler mid-flight in a shutdown test. */
  subscription?: (deps: SearchDeps, base: Subscription) => Subscription;
}

/** One search-service per test file: its own database, exchange and queue, real RabbitMQ and MongoDB. */
export async function startSearchHarness(options: HarnessOptions = {}): Promise<SearchHarness> {
  const log = options.log ?? silentLogger('search-service');
  const exchange = uniqueName('ex');
  const queue = uniqueName('search-service.post-events');
  const mongo = await startMongo();
  const conn = await connectMongo({ uri: mongo.uri, log });
  const searchPosts = createSearchPostModel(conn);
  const tombstones = createTombstoneModel(conn, { ttlSeconds: 86_400 });
  await Promise.all([searchPosts.init(), tombstones.init()]);
  const metrics = createMetrics('search-service', { defaultMetrics: false });
  const deps: SearchDeps = {
    log,
    searchPosts,
    tombstones,
    eventMetrics: createSearchEventMetrics(metrics.registry),
  };

  const bus = createEventBus({
    url: RABBITMQ_URL,
    appId: 'search-service',
    log,
    exchange,
    registry: metrics.registry,
    retry: testRetry,
    runInContext: (ctx, fn) => runWithContext({ requestId: ctx.requestId }, fn),
  });
  await bus.connect();
  const base = postEvents(deps, { queue, prefetch: 10 });
  await bus.subscribe(options.subscription ? options.subscription(deps, base) : base);
  const publisher = createEventBus({ url: RABBITMQ_URL, appId: 'post-service', log, exchange });
  await publisher.connect();

  const app = createApp({ config: testJwtConfig, log, metrics, searchPosts });
  const internal = createInternalApp({
    log,
    metrics,
    probe: createReadinessProbe(searchReadiness({ conn, bus }), { log, registry: metrics.registry }),
  });

  const close = async (): Promise<void> => {
    await Promise.all([bus.close(), publisher.close()]);
    await deleteTopology(exchange, queue);
    await conn.close();
    await mongo.stop();
  };
  return { app, internal, deps, conn, mongo, metrics, exchange, queue, bus, publisher, close };
}

async function deleteTopology(exchange: string, queue: string): Promise<void> {
  const conn = await amqp.connect(RABBITMQ_URL);
  try {
    const ch = await conn.createChannel();
    for (const q of consumerQueueNames(queue, testRetry.backoffMs)) await ch.deleteQueue(q);
    await ch.deleteExchange(exchange);
    await ch.deleteExchange(deadLetterExchangeName(exchange));
  } finally {
    await conn.close();
  }
}

/** events_consumed_total for this harness's queue, one type and outcome (0 before the first). */
export async function consumedCount(
  h: Pick<SearchHarness, 'metrics' | 'queue'>,
  type: string,
  outcome: 'ok' | 'retry' | 'dead',
): Promise<number> {
  const metric = h.metrics.registry.getSingleMetric('events_consumed_total');
  if (!metric) return 0;
  const { values } = await metric.get();
  const match = values.find(
    (v) => v.labels.queue === h.queue && v.labels.type === type && v.labels.outcome === outcome,
  );
  return match?.value ?? 0;
}
