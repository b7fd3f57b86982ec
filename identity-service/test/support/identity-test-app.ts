import { createHash, randomUUID } from 'node:crypto';
import type { Express } from 'express';
import request from 'supertest';
import { connectMongo, type Connection } from '@social/common/mongo';
import { createMetrics } from '@social/common/metrics';
import { closeRedis, createRedis, pingRedis, type Redis } from '@social/common/redis';
import { pingMongo } from '@social/common/mongo';
import { startMongo, type TestMongo } from '@social/testkit';
import {
  captureLogger,
  silentLogger,
  testJwtConfig,
  uniqueName,
  waitFor,
  type CapturedLogger,
} from '@social/testkit/helpers';
import { createApp } from '../../src/app';
import type { IdentityConfig } from '../../src/config';
import { createIdentityModels, type IdentityModels } from '../../src/models/identity-models';

export const REDIS_URL = 'redis://127.0.0.1:6379';
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
    ARGON2_MEMORY_KIB: 1024,
    ARGON2_TIME_COST: 1,
    ARGON2_PARALLELISM: 1,
    REFRESH_TOKEN_TTL_SECONDS: 7 * 24 * 3600,
    LOGIN_RATE_LIMIT_WINDOW_MS: 900_000,
    LOGIN_RATE_LIMIT_MAX: 1_000,
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
  config: IdentityConfig;
  redis: Redis;
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
  const app = createApp({
    config,
    log,
    metrics: createMetrics('identity-service', { defaultMetrics: false }),
    readiness: { checks: { mongo: () => pingMongo(db.conn), redis: () => pingRedis(redis) } },
    redis,
    users: db.models.users,
    refreshTokens: db.models.refreshTokens,
  });
  if (config.REDIS_URL !== DEAD_REDIS_URL) {
    await waitFor(() => redis.status === 'ready', { description: 'redis ready' });
  }
  return {
    app,
    config,
    redis,
    logs: lines,
    close: async () => {
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

export const buildRegisterInput = (
  overrides: Partial<{ username: string; email: string; password: string }> = {},
): { username: string; email: string; password: string } => {
  const id = randomUUID().replace(/-/g, '').slice(0, 12);
  return {
    username: `user_${id}`,
    email: `user_${id}@example.com`,
    password: `pw-${randomUUID()}`,
    ...overrides,
  };
};

export interface RegisteredUser {
  id: string;
  username: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}

export async function registerUser(
  app: Express,
  overrides: Parameters<typeof buildRegisterInput>[0] = {},
): Promise<RegisteredUser> {
  const input = buildRegisterInput(overrides);
  const res = await request(app).post('/api/auth/register').send(input).expect(201);
  const body = res.body as { user: { id: string }; accessToken: string; refreshToken: string };
  return { ...input, id: body.user.id, accessToken: body.accessToken, refreshToken: body.refreshToken };
}

export const sha256Hex = (value: string): string => createHash('sha256').update(value).digest('hex');

/** Every captured log line as one string, for "never logged" assertions. */
export const allLogText = (lines: CapturedLogger['lines']): string =>
  lines.map((l) => JSON.stringify(l)).join('\n');

/** The value of one series from /metrics, e.g. `metricValue(app, 'auth_logins_total', { outcome: 'success' })`. */
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
