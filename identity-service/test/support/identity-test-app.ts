import { createHash } from 'node:crypto';
import type { Express } from 'express';
import request from 'supertest';
import { createMediaClient } from '@social/common/clients';
import {
  consumerQueueNames,
  createEventBus,
  deadLetterExchangeName,
  type EventBus,
} from '@social/common/events';
import { createReadinessProbe } from '@social/common/health';
import { createInternalApp } from '@social/common/http';
import { connectMongo, type Connection } from '@social/common/mongo';
import { createMetrics } from '@social/common/metrics';
import { closeRedis, createRedis, type Redis } from '@social/common/redis';
import { startMongo, type TestMongo } from '@social/testkit';
import amqp from 'amqplib';
import {
  buildRegisterInput,
  captureLogger,
  silentLogger,
  startMediaServiceStub,
  testJwtConfig,
  uniqueName,
  waitFor,
  type CapturedLogger,
  type MediaServiceStub,
  type RegisterInput,
  type TestUser,
} from '@social/testkit/helpers';
import { createApp } from '../../src/app';
import type { IdentityConfig } from '../../src/config';
import { createOutboxRelay, type OutboxRelay } from '../../src/events/outbox-relay';
import { userEvents } from '../../src/events/subscriptions';
import { createIdentityModels, type IdentityModels } from '../../src/models/identity-models';
import { identityReadiness } from '../../src/readiness';

export const REDIS_URL = 'redis://127.0.0.1:6379';
export const RABBITMQ_URL = 'amqp://guest:guest@127.0.0.1:5672';
/** Nothing listens here: a Redis that is down. */
export const DEAD_REDIS_URL = 'redis://127.0.0.1:1';

/** Cheap argon2 so the suite stays fast; production defaults are checked in config.test.ts. */
export function testConfig(overrides: Partial<IdentityConfig> = {}): IdentityConfig {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'debug',
    SHUTDOWN_TIMEOUT_MS: 1_000,
    JSON_BODY_LIMIT: '100kb',
    MONGO_URI: 'mongodb://unused',
    REDIS_URL,
    REDIS_KEY_PREFIX: `${uniqueName('t')}:`,
    ...testJwtConfig,
    PORT: 0,
    METRICS_PORT: 0,
    ARGON2_MEMORY_KIB: 1024,
    ARGON2_TIME_COST: 1,
    ARGON2_PARALLELISM: 1,
    REFRESH_TOKEN_TTL_SECONDS: 7 * 24 * 3600,
    TRUST_PROXY: 'loopback',
    AUTH_RATE_LIMIT_WINDOW_MS: 900_000,
    AUTH_RATE_LIMIT_MAX: 1_000,
    AUTH_IP_RATE_LIMIT_WINDOW_MS: 60_000,
    AUTH_IP_RATE_LIMIT_MAX: 1_000,
    RABBITMQ_URL,
    EVENTS_EXCHANGE: uniqueName('identity-ex'),
    EVENTS_MAX_ATTEMPTS: 3,
    EVENTS_RETRY_BACKOFF_MS: [50, 100],
    IDENTITY_EVENTS_QUEUE: uniqueName('identity-service.user-deleted'),
    OUTBOX_INTERVAL_MS: 100,
    OUTBOX_BATCH_SIZE: 100,
    OUTBOX_CLAIM_TTL_MS: 10_000,
    EVENTS_PUBLISH_TIMEOUT_MS: 2_000,
    MEDIA_SERVICE_URL: 'http://127.0.0.1:1',
    MEDIA_SERVICE_TIMEOUT_MS: 1_000,
    ...overrides,
  };
}

export interface TestDatabase {
  conn: Connection;
  models: IdentityModels;
  close(): Promise<void>;
}

/** One database per test file (testkit MongoDB), with the service's models and indexes. */
export async function startTestDatabase(): Promise<TestDatabase> {
  const mongo: TestMongo = await startMongo();
  const conn = await connectMongo({ uri: mongo.uri, log: silentLogger() });
  const models = await createIdentityModels(conn);
  return {
    conn,
    models,
    close: async () => {
      await conn.close();
      await mongo.stop();
    },
  };
}

export interface TestIdentityApp {
  app: Express;
  /** The internal listener's app: /metrics and /ready. */
  internal: Express;
  config: IdentityConfig;
  redis: Redis;
  bus: EventBus;
  outbox: OutboxRelay;
  /** A stand-in media-service (avatars are checked there, as the caller). */
  media: MediaServiceStub;
  logs: CapturedLogger['lines'];
  close(): Promise<void>;
}

/**
 * Builds the app exactly as server.ts does: the Redis client is still connecting when createApp runs.
 * Waits until Redis is ready unless it is meant to be unreachable.
 */
export async function startTestApp(
  db: TestDatabase,
  overrides: Partial<IdentityConfig> = {},
): Promise<TestIdentityApp> {
  const config = testConfig(overrides);
  const { log, lines } = captureLogger('identity-service');
  const redis = createRedis({
    url: config.REDIS_URL,
    keyPrefix: config.REDIS_KEY_PREFIX,
    log,
    name: 'identity-test',
  });
  const metrics = createMetrics('identity-service', { defaultMetrics: false });
  const media = await startMediaServiceStub();
  // Its own exchange and queues per test app, so parallel files never see each other's events.
  const bus = createEventBus({
    url: config.RABBITMQ_URL,
    appId: 'identity-service',
    log,
    exchange: config.EVENTS_EXCHANGE,
    registry: metrics.registry,
    publishTimeoutMs: config.EVENTS_PUBLISH_TIMEOUT_MS,
    retry: { maxAttempts: config.EVENTS_MAX_ATTEMPTS, backoffMs: config.EVENTS_RETRY_BACKOFF_MS },
  });
  await bus.connect();
  const { users, follows, refreshTokens } = db.models;
  await bus.subscribe(userEvents({ users, follows, refreshTokens }, { queue: config.IDENTITY_EVENTS_QUEUE }));
  const outbox = createOutboxRelay({
    users,
    follows,
    bus,
    log,
    registry: metrics.registry,
    intervalMs: config.OUTBOX_INTERVAL_MS,
    batchSize: config.OUTBOX_BATCH_SIZE,
    claimTtlMs: config.OUTBOX_CLAIM_TTL_MS,
  });
  outbox.start();
  const app = createApp({
    config,
    log,
    metrics,
    redis,
    users,
    refreshTokens,
    follows,
    outbox,
    media: createMediaClient({
      baseUrl: media.url,
      timeoutMs: config.MEDIA_SERVICE_TIMEOUT_MS,
      registry: metrics.registry,
    }),
  });
  const probe = createReadinessProbe(identityReadiness({ conn: db.conn, redis, bus, outbox }), {
    log,
    registry: metrics.registry,
  });
  const internal = createInternalApp({ log, metrics, probe });
  if (config.REDIS_URL !== DEAD_REDIS_URL) {
    await waitFor(() => redis.status === 'ready', { description: 'redis ready' });
  }
  return {
    app,
    internal,
    config,
    redis,
    bus,
    outbox,
    media,
    logs: lines,
    close: async () => {
      await outbox.stop();
      await bus.close();
      await media.close();
      await deleteTopology(config);
      if (redis.status === 'ready') {
        // Clean up this app's limiter keys; KEYS is fine in a test, never on a request path. ioredis does not
        // prefix KEYS patterns, but it does prefix DEL's arguments.
        const keys = await redis.keys(`${config.REDIS_KEY_PREFIX}*`);
        const unprefixed = keys.map((k) => k.slice(config.REDIS_KEY_PREFIX.length));
        if (unprefixed.length > 0) await redis.del(...unprefixed);
      }
      await closeRedis(redis);
    },
  };
}

/** This app's exchange and queues, so runs leave nothing on the shared broker. */
async function deleteTopology(config: IdentityConfig): Promise<void> {
  const conn = await amqp.connect(config.RABBITMQ_URL);
  try {
    const ch = await conn.createChannel();
    for (const name of consumerQueueNames(config.IDENTITY_EVENTS_QUEUE, config.EVENTS_RETRY_BACKOFF_MS)) {
      await ch.deleteQueue(name);
    }
    await ch.deleteExchange(config.EVENTS_EXCHANGE);
    await ch.deleteExchange(deadLetterExchangeName(config.EVENTS_EXCHANGE));
  } finally {
    await conn.close();
  }
}

export interface RegisteredUser {
  id: string;
  username: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}

// Arranged accounts come from addresses of their own (198.18.0.0/15, benchmarking), so setting up a test never
// spends the rate-limit budget of the client address the test is about.
let arrangeCounter = 0;
const arrangeAddress = (): string => {
  const n = arrangeCounter++;
  return `198.18.${Math.floor(n / 250) % 256}.${(n % 250) + 1}`;
};

export async function registerUser(
  app: Express,
  overrides: Partial<RegisterInput> = {},
): Promise<RegisteredUser> {
  const input = buildRegisterInput(overrides);
  const res = await request(app)
    .post('/api/auth/register')
    .set('X-Forwarded-For', arrangeAddress())
    .send(input)
    .expect(201);
  const body = res.body as { user: { id: string }; accessToken: string; refreshToken: string };
  return { ...input, id: body.user.id, accessToken: body.accessToken, refreshToken: body.refreshToken };
}

export const sha256Hex = (value: string): string => createHash('sha256').update(value).digest('hex');

/** Every captured log line as one string, for "never logged" assertions. */
export const allLogText = (lines: CapturedLogger['lines']): string =>
  lines.map((l) => JSON.stringify(l)).join('\n');

/** One series from /metrics (the internal app), e.g. `metricValue(svc.internal, 'auth_logins_total', { outcome: 'success' })`. */
export async function metricValue(
  app: Express,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const res = await request(app).get('/metrics').expect(200);
  const line = (res.text as string)
    .split('\n')
    .find(
      (l) =>
        (l.startsWith(`${name}{`) || l.startsWith(`${name} `)) &&
        Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)),
    );
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

/** A registered user as the testkit's helpers (media stub, supertest `.set(user.auth)`) take one. */
export const asTestUser = (user: RegisteredUser): TestUser => ({
  id: user.id,
  username: user.username,
  token: user.accessToken,
  auth: { Authorization: `Bearer ${user.accessToken}` },
});
