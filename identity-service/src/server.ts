import http from 'node:http';
import { createMediaClient } from '@social/common/clients';
import { createEventBus, eventBusSettings } from '@social/common/events';
import { startInternalServer } from '@social/common/http';
import { closeServer, listen, logProcessWarnings, onShutdown, runMain } from '@social/common/lifecycle';
import { createServiceLogger } from '@social/common/logger';
import { createMetrics } from '@social/common/metrics';
import { connectMongo } from '@social/common/mongo';
import { closeRedis, createRedis } from '@social/common/redis';
import { createApp } from './app';
import { loadIdentityConfig } from './config';
import { createOutboxRelay } from './events/outbox-relay';
import { userEvents } from './events/subscriptions';
import { createIdentityModels } from './models/identity-models';
import { identityReadiness } from './readiness';

const SERVICE = 'identity-service';

async function main(): Promise<void> {
  const config = loadIdentityConfig();
  const log = createServiceLogger(SERVICE, config);
  logProcessWarnings(log);
  const metrics = createMetrics(SERVICE);
  const conn = await connectMongo({ uri: config.MONGO_URI, log });
  const { users, refreshTokens, follows } = await createIdentityModels(conn);
  const redis = createRedis({
    url: config.REDIS_URL,
    keyPrefix: config.REDIS_KEY_PREFIX,
    log,
    name: SERVICE,
  });

  const bus = createEventBus({
    ...eventBusSettings(config),
    appId: SERVICE,
    log,
    registry: metrics.registry,
    publishTimeoutMs: config.EVENTS_PUBLISH_TIMEOUT_MS,
  });
  // In the background: the API works while the broker is away; the outbox holds the events meanwhile.
  bus.start();
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
  const media = createMediaClient({
    baseUrl: config.MEDIA_SERVICE_URL,
    timeoutMs: config.MEDIA_SERVICE_TIMEOUT_MS,
    registry: metrics.registry,
  });

  const app = createApp({ config, log, metrics, redis, users, refreshTokens, follows, outbox, media });
  const server = http.createServer(app);
  const internal = await startInternalServer({
    log,
    metrics,
    readiness: identityReadiness({ conn, redis, bus, outbox }),
    port: config.METRICS_PORT,
  });
  const port = await listen(server, config.PORT);
  log.info('identity-service listening', { port });

  onShutdown(
    log,
    [
      () => internal.probe.shuttingDown(),
      () => closeServer(server),
      () => outbox.stop(),
      () => bus.close(),
      () => closeRedis(redis),
      () => conn.close(),
      () => closeServer(internal.server),
    ],
    { timeoutMs: config.SHUTDOWN_TIMEOUT_MS },
  );
}

runMain(SERVICE, main);
