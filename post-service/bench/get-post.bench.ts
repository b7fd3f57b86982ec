/**
 * Cached vs uncached reads of post-service, straight to the service (no gateway), with autocannon. A script,
 * not a test:
 *
 *   npx tsx --conditions=@social/source post-service/bench/get-post.bench.ts [--duration 10] [--connections 50]
 *
 * One app per mode, both wired like server.ts on real Redis and RabbitMQ (unique prefix / exchange) and the
 * testkit MongoDB (a real mongod when MONGO_TEST_URI is set, else the in-memory test server, which makes the
 * uncached numbers a statement about that server as much as about this service; to keep it off the service's
 * event loop, run `node packages/testkit/bin/social-mongo-memory.js --port 37117` and set
 * MONGO_TEST_URI=mongodb://127.0.0.1:37117). autocannon runs as a child process. Prints a table and JSON.
 */
import http from 'node:http';
import amqp from 'amqplib';
import type autocannon from 'autocannon';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createEventBus, deadLetterExchangeName } from '@social/common/events';
import { listen, closeServer } from '@social/common/lifecycle';
import { createMetrics } from '@social/common/metrics';
import { connectMongo } from '@social/common/mongo';
import { closeRedis, createRedis, type Redis } from '@social/common/redis';
import { startMongo } from '@social/testkit';
import { createTestUser, silentLogger, testJwtConfig, uniqueName } from '@social/testkit/helpers';
import { createApp } from '../src/app';
import { createPostCache, disabledPostCache } from '../src/cache/post-cache';
import { createOutboxRelay } from '../src/events/outbox-relay';
import { createPostModel } from '../src/models/post.model';
import { postReadiness } from '../src/readiness';

const RABBITMQ_URL = 'amqp://guest:guest@127.0.0.1:5672';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

/** autocannon in its own process, so the load generator does not share the service's event loop. */
async function cannon(
  url: string,
  authorization: string,
  duration: number,
  connections: number,
): Promise<autocannon.Result> {
  const cli = require.resolve('autocannon/autocannon.js');
  const args = [
    cli,
    '-j',
    '-c',
    String(connections),
    '-d',
    String(duration),
    '-H',
    `Authorization=${authorization}`,
    url,
  ];
  const { stdout } = await promisify(execFile)(process.execPath, args, { maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(stdout) as autocannon.Result;
}

interface Result {
  scenario: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
}

async function main(): Promise<void> {
  const duration = arg('duration', 10);
  const connections = arg('connections', 50);
  const log = silentLogger('post-service');
  const mongo = await startMongo();
  const conn = await connectMongo({ uri: mongo.uri, log, attempts: 1 });
  const posts = createPostModel(conn);
  await posts.init();
  const keyPrefix = `${uniqueName('bench')}:`;
  const redis = createRedis({ url: 'redis://127.0.0.1:6379', keyPrefix, log });
  const metrics = createMetrics('post-service', { defaultMetrics: false });
  const exchange = uniqueName('bench_ex');
  const bus = createEventBus({ url: RABBITMQ_URL, appId: 'post-service', log, exchange });
  await bus.connect();
  const outbox = createOutboxRelay({
    posts,
    bus,
    log,
    registry: metrics.registry,
    intervalMs: 1000,
    batchSize: 100,
  });
  const readiness = postReadiness({ conn, redis, bus, outbox });
  const config = { ...testJwtConfig, JSON_BODY_LIMIT: '100kb' };
  const cached = createPostCache({
    redis,
    log,
    registry: metrics.registry,
    postTtlSeconds: 3600,
    listTtlSeconds: 300,
  });
  const apps = {
    cached: createApp({ config, log, metrics, readiness, posts, cache: cached, outbox }),
    uncached: createApp({ config, log, metrics, readiness, posts, cache: disabledPostCache(), outbox }),
  };
  const servers = { cached: http.createServer(apps.cached), uncached: http.createServer(apps.uncached) };
  const ports = { cached: await listen(servers.cached, 0), uncached: await listen(servers.uncached, 0) };

  // Seed through the API: 200 posts so list pages do real work.
  const alice = createTestUser();
  let postId = '';
  for (let i = 0; i < 200; i++) {
    const res = await fetch(`http://127.0.0.1:${ports.uncached}/api/posts/create-post`, {
      method: 'POST',
      headers: { ...alice.auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ content: `bench post ${i} `.repeat(10), mediaIds: [] }),
    });
    postId = ((await res.json()) as { post: { id: string } }).post.id;
  }
  await outbox.runOnce();

  const results: Result[] = [];
  for (const [scenario, path] of [
    ['GET /api/posts/:id', `/api/posts/${postId}`],
    ['GET /api/posts/all-posts?page=2&limit=20', '/api/posts/all-posts?page=2&limit=20'],
  ] as const) {
    for (const mode of ['cached', 'uncached'] as const) {
      const url = `http://127.0.0.1:${ports[mode]}${path}`;
      await cannon(url, alice.auth.Authorization, 2, connections); // warm-up, not reported
      const r = await cannon(url, alice.auth.Authorization, duration, connections);
      results.push({
        scenario: `${scenario} (${mode})`,
        requestsPerSecond: Math.round(r.requests.average),
        p50Ms: r.latency.p50,
        p99Ms: r.latency.p99,
        non2xx: r.non2xx,
      });
    }
  }

  console.table(results);
  console.log(JSON.stringify({ backend: mongo.backend, duration, connections, results }, null, 2));

  await Promise.all([closeServer(servers.cached), closeServer(servers.uncached)]);
  await outbox.stop();
  await bus.close();
  await cleanUp(redis, keyPrefix, exchange);
  await closeRedis(redis);
  await conn.close();
  await mongo.stop();
}

/** Leaves nothing behind in the shared Redis and RabbitMQ. */
async function cleanUp(redis: Redis, keyPrefix: string, exchange: string): Promise<void> {
  // KEYS is fine in a one-off script; the prefix client would prefix the pattern, so strip it from results.
  const keys = await redis.keys('*');
  if (keys.length > 0) await redis.del(...keys.map((k) => k.slice(keyPrefix.length)));
  const amqpConn = await amqp.connect(RABBITMQ_URL);
  const ch = await amqpConn.createChannel();
  await ch.deleteExchange(exchange);
  await ch.deleteExchange(deadLetterExchangeName(exchange));
  await amqpConn.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
