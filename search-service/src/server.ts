import http from 'node:http';
import { createEventBus, eventBusSettings } from '@social/common/events';
import { startInternalServer } from '@social/common/http';
import { closeServer, listen, logProcessWarnings, onShutdown, runMain } from '@social/common/lifecycle';
import { createServiceLogger } from '@social/common/logger';
import { createMetrics } from '@social/common/metrics';
import { connectMongo } from '@social/common/mongo';
import { createApp } from './app';
import { loadSearchConfig } from './config';
import { createSearchEventMetrics } from './metrics';
import { postEvents } from './events/subscriptions';
import { createSearchPostModel } from './models/search-post.model';
import { createTombstoneModel } from './models/tombstone.model';
import { searchReadiness } from './readiness';

async function main(): Promise<void> {
  const config = loadSearchConfig();
  const log = createServiceLogger('search-service', config);
  logProcessWarnings(log);
  const metrics = createMetrics('search-service');

  const conn = await connectMongo({ uri: config.MONGO_URI, log });
  const searchPosts = createSearchPostModel(conn);
  const tombstones = createTombstoneModel(conn, { ttlSeconds: config.SEARCH_TOMBSTONE_TTL_SECONDS });
  // The unique, text and TTL indexes must exist before the first event or query.
  await Promise.all([searchPosts.init(), tombstones.init()]);

  const bus = createEventBus({
    ...eventBusSettings(config),
    appId: 'search-service',
    log,
    registry: metrics.registry,
  });

  const app = createApp({ config, log, metrics, searchPosts });
  const server = http.createServer(app);
  const internal = await startInternalServer({
    log,
    metrics,
    readiness: searchReadiness({ conn, bus }),
    port: config.METRICS_PORT,
  });

  // Reverse order of start: stop HTTP, let the message in hand finish and settle, then close MongoDB.
  onShutdown(
    log,
    [
      () => internal.probe.shuttingDown(),
      () => closeServer(server),
      () => bus.close(),
      () => conn.close(),
      () => closeServer(internal.server),
    ],
    { timeoutMs: config.SHUTDOWN_TIMEOUT_MS },
  );

  // Background connect: the service starts while the broker is down, /ready says so, and the
  // subscription attaches on every (re)connect.
  bus.start();
  await bus.subscribe(
    postEvents(
      { log, searchPosts, tombstones, eventMetrics: createSearchEventMetrics(metrics.registry) },
      { queue: config.SEARCH_EVENTS_QUEUE, prefetch: config.SEARCH_EVENTS_PREFETCH },
    ),
  );

  const port = await listen(server, config.PORT);
  log.info('search-service listening', { port });
}

runMain('search-service', main);
