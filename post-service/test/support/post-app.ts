import type { Express } from 'express';
import {
  consumerQueueNames,
  createEventBus,
  deadLetterExchangeName,
  type EventBus,
  type RetryOptions,
} from '@social/common/events';
import { createReadinessProbe } from '@social/common/health';
import { createInternalApp } from '@social/common/http';
import type { Logger } from '@social/common/logger';
import { createMetrics, type Metrics } from '@social/common/metrics';
import { connectMongo, type Connection } from '@social/common/mongo';
import { closeRedis, createRedis, redisReady, type Redis } from '@social/common/redis';
import { startMongo, type TestMongo } from '@social/testkit';
import { silentLogger, testJwtConfig, uniqueName } from '@social/testkit/helpers';
import { createApp } from '../../src/app';
import {
  createEngagementCache,
  disabledEngagementCache,
  type EngagementCache,
} from '../../src/cache/engagement-cache';
import { createAuthorCache, disabledAuthorCache, type AuthorCache } from '../../src/cache/author-cache';
import { createFeedStore, disabledFeedStore, type FeedStore } from '../../src/cache/feed-store';
import { createFollowingCache, disabledFollowingCache } from '../../src/cache/following-cache';
import { createPostCache, disabledPostCache, type PostCache } from '../../src/cache/post-cache';
import { createMediaClient } from '@social/common/clients';
import { createOutboxRelay, type OutboxRelay } from '../../src/events/outbox-relay';
import { postSubscriptions } from '../../src/events/subscriptions';
import { createAuthorModel, type AuthorModel } from '../../src/models/author.model';
import { createCommentModel, type CommentModel } from '../../src/models/comment.model';
import { createFollowEdgeModel, type FollowEdgeModel } from '../../src/models/follow-edge.model';
import { createLikeModel, type LikeModel } from '../../src/models/like.model';
import { createPostModel, type PostModel } from '../../src/models/post.model';
import { createFeedMetrics } from '../../src/metrics';
import { postReadiness } from '../../src/readiness';
import { startMediaServiceStub, type MediaServiceStub } from '@social/testkit/helpers';

export const REDIS_URL = 'redis://127.0.0.1:6379';
export const RABBITMQ_URL = 'amqp://guest:guest@127.0.0.1:5672';
/** Nothing listens here: a Redis or broker that is "down" without touching the shared ones. */
export const CLOSED_REDIS_URL = 'redis://127.0.0.1:1';
export const CLOSED_RABBITMQ_URL = 'amqp://guest:guest@127.0.0.1:1';

/** Short backoff so a retried message is redelivered within a test's wait. */
export const testRetry: RetryOptions = { maxAttempts: 5, backoffMs: [50, 100, 200] };

export interface PostTestEnv {
  app: Express;
  /** The internal listener's app: /metrics and /ready. */
  internal: Express;
  posts: PostModel;
  likes: LikeModel;
  comments: CommentModel;
  /** The app's cache of counters and likedByMe (domain functions called directly need it). */
  engagementCache: EngagementCache;
  authors: AuthorModel;
  /** The app's authors remembered in process (domain functions called directly need it). */
  authorCache: AuthorCache;
  follows: FollowEdgeModel;
  feeds: FeedStore;
  /** Durable queue names this env's consumers use (unique per env). */
  queues: { feedFanOut: string; userProjection: string; userDeleted: string };
  /** A client on the app's key prefix, to observe the cache from outside. */
  redis: Redis;
  bus: EventBus;
  relay: OutboxRelay;
  exchange: string;
  metrics: Metrics;
  /** The stand-in media-service this app asks about attached media (unless `mediaServiceUrl` points elsewhere). */
  mediaService: MediaServiceStub;
  close(): Promise<void>;
}

export interface PostTestEnvOptions {
  log?: Logger;
  /** Redis URL the app's cache talks to (the observer client always uses the real one). */
  cacheRedisUrl?: string;
  /** Broker URL of the app's event bus; a closed port simulates an outage. */
  rabbitmqUrl?: string;
  /** Share another env's database and exchange (e.g. to run a second relay against the same outbox). */
  shared?: { mongo: TestMongo; exchange: string; keyPrefix: string };
  /** CACHE_ENABLED=false: the app gets no Redis at all. */
  cacheEnabled?: boolean;
  /** Start the interval loop (default false: kicks only, so tests decide when a pass runs). */
  startRelay?: boolean;
  /** Where the app finds media-service (default: this env's stub); a closed port simulates an outage. */
  mediaServiceUrl?: string;
  /** MEDIA_SERVICE_TIMEOUT_MS (default 1000). */
  mediaTimeoutMs?: number;
  /** Subscribe the event consumers (feed fan-out, projections, user.deleted); default true. */
  consumers?: boolean;
  /** FEED_FANOUT_READ_THRESHOLD (default 10,000). */
  fanOutReadThreshold?: number;
  /** FEED_MAX_ENTRIES (default 800). */
  feedMaxEntries?: number;
  /** AUTHOR_CACHE_TTL_MS (default 5000, as deployed). */
  authorCacheTtlMs?: number;
}

export interface PostTestInfra {
  mongo: TestMongo;
  exchange: string;
  keyPrefix: string;
}

export async function startInfra(): Promise<PostTestInfra> {
  return { mongo: await startMongo(), exchange: uniqueName('ex'), keyPrefix: `${uniqueName('t')}:` };
}

/** createApp wired exactly like server.ts, on real Redis/RabbitMQ (unique names) and testkit MongoDB. */
export async function startPostApp(
  infra: PostTestInfra,
  options: PostTestEnvOptions = {},
): Promise<PostTestEnv> {
  const log = options.log ?? silentLogger('post-service');
  const metrics = createMetrics('post-service', { defaultMetrics: false });
  const conn: Connection = await connectMongo({ uri: infra.mongo.uri, log, attempts: 1 });
  const posts = createPostModel(conn);
  const likes = createLikeModel(conn);
  const comments = createCommentModel(conn);
  const authors = createAuthorModel(conn);
  const follows = createFollowEdgeModel(conn);
  await Promise.all([posts.init(), likes.init(), comments.init(), authors.init(), follows.init()]);
  // As server.ts builds it: the caches' commands of one event-loop turn leave in one write.
  const cacheRedis = createRedis({
    url: options.cacheRedisUrl ?? REDIS_URL,
    keyPrefix: infra.keyPrefix,
    log,
    autoPipelining: true,
  });
  const redis = createRedis({ url: REDIS_URL, keyPrefix: infra.keyPrefix, log });
  const cacheEnabled = options.cacheEnabled ?? true;
  const cache: PostCache = cacheEnabled
    ? createPostCache({
        redis: cacheRedis,
        log,
        registry: metrics.registry,
        postTtlSeconds: 3600,
        listTtlSeconds: 300,
      })
    : disabledPostCache();
  const engagementCache = cacheEnabled
    ? createEngagementCache({
        redis: cacheRedis,
        log,
        registry: metrics.registry,
        countsTtlSeconds: 3600,
        likedTtlSeconds: 300,
      })
    : disabledEngagementCache();
  const feeds: FeedStore = cacheEnabled
    ? createFeedStore({
        redis: cacheRedis,
        log,
        registry: metrics.registry,
        maxEntries: options.feedMaxEntries ?? 800,
        ttlSeconds: 3600,
      })
    : disabledFeedStore();
  const authorCache = cacheEnabled
    ? createAuthorCache({ ttlMs: options.authorCacheTtlMs ?? 5_000 })
    : disabledAuthorCache();
  const following = cacheEnabled
    ? createFollowingCache({ redis: cacheRedis, log, registry: metrics.registry })
    : disabledFollowingCache();
  const bus = createEventBus({
    url: options.rabbitmqUrl ?? RABBITMQ_URL,
    appId: 'post-service',
    log,
    exchange: infra.exchange,
    registry: metrics.registry,
    publishTimeoutMs: 2000,
    retry: testRetry,
    reconnect: { initialDelayMs: 50, maxDelayMs: 200 },
  });
  if (options.rabbitmqUrl) bus.start();
  else await bus.connect();
  const relay = createOutboxRelay({
    posts,
    likes,
    comments,
    bus,
    log,
    registry: metrics.registry,
    intervalMs: 100,
    batchSize: 2,
  });
  if (options.startRelay) relay.start();
  const readiness = postReadiness({ conn, redis: cacheEnabled ? cacheRedis : undefined, bus, outbox: relay });
  const mediaService = await startMediaServiceStub();
  const media = createMediaClient({
    baseUrl: options.mediaServiceUrl ?? mediaService.url,
    timeoutMs: options.mediaTimeoutMs ?? 1000,
    registry: metrics.registry,
  });
  const queues = {
    feedFanOut: uniqueName('post-service.feed-fanout'),
    userProjection: uniqueName('post-service.user-projection'),
    userDeleted: uniqueName('post-service.user-deleted'),
  };
  if (options.consumers ?? true) {
    for (const subscription of postSubscriptions(
      {
        posts,
        likes,
        comments,
        engagementCache,
        authors,
        authorCache,
        follows,
        feeds,
        following,
        cache,
        outbox: relay,
        log,
        feedMetrics: createFeedMetrics(metrics.registry),
        fanOutReadThreshold: options.fanOutReadThreshold ?? 10_000,
      },
      queues,
    ))
      await bus.subscribe(subscription);
  }
  const app = createApp({
    config: { ...testJwtConfig, JSON_BODY_LIMIT: '100kb', FEED_MAX_FOLLOWING: 5000 },
    log,
    metrics,
    posts,
    likes,
    comments,
    cache,
    engagementCache,
    outbox: relay,
    media,
    authors,
    authorCache,
    follows,
    feeds,
    following,
  });
  const internal = createInternalApp({
    log,
    metrics,
    probe: createReadinessProbe(readiness, { log, registry: metrics.registry }),
  });
  await Promise.all([redisReady(redis), options.cacheRedisUrl ? undefined : redisReady(cacheRedis)]);
  return {
    app,
    internal,
    posts,
    likes,
    comments,
    engagementCache,
    authors,
    authorCache,
    follows,
    feeds,
    queues,
    redis,
    bus,
    relay,
    exchange: infra.exchange,
    metrics,
    mediaService,
    close: async () => {
      await mediaService.close();
      await relay.stop();
      await bus.close();
      if (options.consumers ?? true) await deleteQueues(Object.values(queues));
      await Promise.all([closeClient(cacheRedis), closeClient(redis)]);
      await conn.close();
    },
  };
}

// closeRedis() sends QUIT even to a client that never connected; ioredis arms the command timeout (1 s) before
// rejecting it, and that timer keeps jest alive. A client that is not ready just disconnects. (ioredis still
// leaves its 2 s disconnect timer behind for a socket that was already refused: a harmless late exit.)
async function closeClient(redis: Redis): Promise<void> {
  if (redis.status === 'ready') await closeRedis(redis);
  else redis.disconnect();
}

async function deleteQueues(queues: string[]): Promise<void> {
  const amqp = await import('amqplib');
  const conn = await amqp.connect(RABBITMQ_URL);
  try {
    const ch = await conn.createChannel();
    for (const queue of queues)
      for (const name of consumerQueueNames(queue, testRetry.backoffMs)) await ch.deleteQueue(name);
  } finally {
    await conn.close();
  }
}

/** Drops the exchange and every key under the prefix, then stops MongoDB. */
export async function stopInfra(infra: PostTestInfra): Promise<void> {
  const redis = createRedis({ url: REDIS_URL, log: silentLogger() });
  await redisReady(redis);
  const keys = await redis.keys(`${infra.keyPrefix}*`); // test cleanup only, never on a request path
  if (keys.length > 0) await redis.del(...keys);
  await closeRedis(redis);
  const amqp = await import('amqplib');
  const conn = await amqp.connect(RABBITMQ_URL);
  const ch = await conn.createChannel();
  await ch.deleteExchange(infra.exchange);
  await ch.deleteExchange(deadLetterExchangeName(infra.exchange));
  await conn.close();
  await infra.mongo.stop();
}
