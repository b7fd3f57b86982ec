import http from 'node:http';
import { createEventBus, eventBusSettings } from '@social/common/events';
import { startInternalServer } from '@social/common/http';
import { closeServer, listen, onShutdown, runMain } from '@social/common/lifecycle';
import { createServiceLogger } from '@social/common/logger';
import { createMetrics } from '@social/common/metrics';
import { connectMongo } from '@social/common/mongo';
import { closeRedis, createRedis } from '@social/common/redis';
import { createApp } from './app';
import { createEngagementCache, disabledEngagementCache } from './cache/engagement-cache';
import { createPostCache, disabledPostCache } from './cache/post-cache';
import { createMediaClient } from '@social/common/clients';
import { loadPostConfig } from './config';
import { createOutboxRelay } from './events/outbox-relay';
import { createCommentModel } from './models/comment.model';
import { createLikeModel } from './models/like.model';
import { createPostModel } from './models/post.model';
import { postReadiness } from './readiness';

const SERVICE = 'post-service';

async function main(): Promise<void> {
  const config = loadPostConfig();
  const log = createServiceLogger(SERVICE, config);
  const metrics = createMetrics(SERVICE);

  const conn = await connectMongo({ uri: config.MONGO_URI, log });
  const posts = createPostModel(conn);
  const likes = createLikeModel(conn);
  const comments = createCommentModel(conn);
  await Promise.all([posts.init(), likes.init(), comments.init()]);

  const redis = config.CACHE_ENABLED
    ? createRedis({ url: config.REDIS_URL, keyPrefix: config.REDIS_KEY_PREFIX, log, name: SERVICE })
    : undefined;
  const cache = redis
    ? createPostCache({
        redis,
        log,
        registry: metrics.registry,
        postTtlSeconds: config.POST_CACHE_TTL_SECONDS,
        listTtlSeconds: config.POST_LIST_CACHE_TTL_SECONDS,
      })
    : disabledPostCache();
  // Counters live as long as a post body (every like deletes them anyway); a viewer's likedByMe hash as long as
  // a list page, since it is refilled by browsing.
  const engagementCache = redis
    ? createEngagementCache({
        redis,
        log,
        registry: metrics.registry,
        countsTtlSeconds: config.POST_CACHE_TTL_SECONDS,
        likedTtlSeconds: config.POST_LIST_CACHE_TTL_SECONDS,
      })
    : disabledEngagementCache();
  log.info('post cache', { enabled: config.CACHE_ENABLED });

  const bus = createEventBus({
    ...eventBusSettings(config),
    appId: SERVICE,
    log,
    registry: metrics.registry,
    publishTimeoutMs: config.EVENTS_PUBLISH_TIMEOUT_MS,
  });
  // In the background: the API works while the broker is away; the outbox holds the events meanwhile.
  bus.start();
  const outbox = createOutboxRelay({
    posts,
    likes,
    comments,
    bus,
    log,
    registry: metrics.registry,
    intervalMs: config.OUTBOX_INTERVAL_MS,
    batchSize: config.OUTBOX_BATCH_SIZE,
    claimTtlMs: config.OUTBOX_CLAIM_TTL_MS,
  });
  outbox.start();

  const media = createMediaClient({
    baseUrl: config.MEDIA_SERVICE_URL,
    timeoutMs: config.MEDIA_SERVICE_TIMEOUT_MS,
    registry: metrics.registry,
  });
  const app = createApp({
    config,
    log,
    metrics,
    posts,
    likes,
    comments,
    cache,
    engagementCache,
    outbox,
    media,
  });
  const server = http.createServer(app);
  const internal = await startInternalServer({
    log,
    metrics,
    readiness: postReadiness({ conn, redis, bus, outbox }),
    port: config.METRICS_PORT,
  });
  const port = await listen(server, config.PORT);
  log.info(`${SERVICE} listening`, { port });

  onShutdown(
    log,
    [
      () => internal.probe.shuttingDown(),
      () => closeServer(server),
      () => outbox.stop(),
      () => bus.close(),
      () => (redis ? closeRedis(redis) : undefined),
      () => conn.close(),
      () => closeServer(internal.server),
    ],
    { timeoutMs: config.SHUTDOWN_TIMEOUT_MS },
  );
}

runMain(SERVICE, main);
