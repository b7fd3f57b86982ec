import http from 'node:http';
import { createEventBus, eventBusSettings } from '@social/common/events';
import { startInternalServer } from '@social/common/http';
import {
  closeServer,
  listen,
  logProcessWarnings,
  onShutdown,
  periodic,
  runMain,
} from '@social/common/lifecycle';
import { createServiceLogger } from '@social/common/logger';
import { createMetrics } from '@social/common/metrics';
import { connectMongo } from '@social/common/mongo';
import { closeRedis, createRedis } from '@social/common/redis';
import { createApp } from './app';
import { createAuthorCache, disabledAuthorCache } from './cache/author-cache';
import { createEngagementCache, disabledEngagementCache } from './cache/engagement-cache';
import { createFeedStore, disabledFeedStore } from './cache/feed-store';
import { createFollowingCache, disabledFollowingCache } from './cache/following-cache';
import { createPostCache, disabledPostCache } from './cache/post-cache';
import { createMediaClient } from '@social/common/clients';
import { loadPostConfig } from './config';
import { createOutboxRelay } from './events/outbox-relay';
import { postSubscriptions } from './events/subscriptions';
import { createAuthorModel } from './models/author.model';
import { createCommentModel } from './models/comment.model';
import { createFollowEdgeModel } from './models/follow-edge.model';
import { createLikeModel } from './models/like.model';
import { createPostModel } from './models/post.model';
import { repairEngagementCounts } from './domain/repair-engagement';
import { createFeedMetrics, engagementRepairs } from './metrics';
import { postReadiness } from './readiness';

const SERVICE = 'post-service';
/** How often a replica looks for like and comment counts a failed change left behind. */
const ENGAGEMENT_REPAIR_INTERVAL_MS = 60_000;
/** A change marked on a post this long ago, with none begun since, has failed (changes take milliseconds). */
const ENGAGEMENT_REPAIR_QUIET_MS = 5 * 60_000;
/** Posts recounted per pass at most: a pass stays short, the next one takes the rest. */
const ENGAGEMENT_REPAIR_BATCH = 100;

async function main(): Promise<void> {
  const config = loadPostConfig();
  const log = createServiceLogger(SERVICE, config);
  logProcessWarnings(log);
  const metrics = createMetrics(SERVICE);

  const conn = await connectMongo({ uri: config.MONGO_URI, log });
  const posts = createPostModel(conn);
  const likes = createLikeModel(conn);
  const comments = createCommentModel(conn);
  const authors = createAuthorModel(conn);
  const follows = createFollowEdgeModel(conn);
  // Unique and query indexes must exist before the first event or request.
  await Promise.all([posts.init(), likes.init(), comments.init(), authors.init(), follows.init()]);

  const redis = config.CACHE_ENABLED
    ? createRedis({
        url: config.REDIS_URL,
        keyPrefix: config.REDIS_KEY_PREFIX,
        log,
        name: SERVICE,
        autoPipelining: true,
      })
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
  const authorCache = config.CACHE_ENABLED
    ? createAuthorCache({ ttlMs: config.AUTHOR_CACHE_TTL_MS })
    : disabledAuthorCache();
  const feeds = redis
    ? createFeedStore({
        redis,
        log,
        registry: metrics.registry,
        maxEntries: config.FEED_MAX_ENTRIES,
        ttlSeconds: config.FEED_TTL_SECONDS,
      })
    : disabledFeedStore();
  const following = redis
    ? createFollowingCache({ redis, log, registry: metrics.registry })
    : disabledFollowingCache();
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
  const repaired = engagementRepairs(metrics.registry);
  const engagementRepair = periodic({
    name: 'engagement recount',
    intervalMs: ENGAGEMENT_REPAIR_INTERVAL_MS,
    log,
    run: () =>
      repairEngagementCounts(
        { posts, likes, comments, engagementCache, log, repaired },
        { quietMs: ENGAGEMENT_REPAIR_QUIET_MS, limit: ENGAGEMENT_REPAIR_BATCH },
      ),
  });
  engagementRepair.start();

  const media = createMediaClient({
    baseUrl: config.MEDIA_SERVICE_URL,
    timeoutMs: config.MEDIA_SERVICE_TIMEOUT_MS,
    registry: metrics.registry,
  });
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
      outbox,
      log,
      feedMetrics: createFeedMetrics(metrics.registry),
      fanOutReadThreshold: config.FEED_FANOUT_READ_THRESHOLD,
    },
    {
      feedFanOut: config.POST_FEED_FANOUT_QUEUE,
      userProjection: config.POST_USER_EVENTS_QUEUE,
      userDeleted: config.POST_USER_DELETED_QUEUE,
    },
  )) {
    await bus.subscribe(subscription);
  }

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
    authors,
    authorCache,
    follows,
    feeds,
    following,
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
      () => engagementRepair.stop(),
      () => bus.close(),
      () => (redis ? closeRedis(redis) : undefined),
      () => conn.close(),
      () => closeServer(internal.server),
    ],
    { timeoutMs: config.SHUTDOWN_TIMEOUT_MS },
  );
}

runMain(SERVICE, main);
