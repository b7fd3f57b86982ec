import http from 'node:http';
import { closeServer, listen, onShutdown, runMain } from '@social/common/lifecycle';
import { createServiceLogger } from '@social/common/logger';
import { createMetrics } from '@social/common/metrics';
import { connectMongo, pingMongo } from '@social/common/mongo';
import { closeRedis, createRedis, pingRedis } from '@social/common/redis';
import { createApp } from './app';
import { loadIdentityConfig } from './config';
import { createIdentityModels } from './models/identity-models';

const SERVICE = 'identity-service';

async function main(): Promise<void> {
  const config = loadIdentityConfig();
  const log = createServiceLogger(SERVICE, config);
  const conn = await connectMongo({ uri: config.MONGO_URI, log });
  const { users, refreshTokens } = await createIdentityModels(conn);
  const redis = createRedis({
    url: config.REDIS_URL,
    keyPrefix: config.REDIS_KEY_PREFIX,
    log,
    name: SERVICE,
  });

  const app = createApp({
    config,
    log,
    metrics: createMetrics(SERVICE),
    readiness: { checks: { mongo: () => pingMongo(conn), redis: () => pingRedis(redis) } },
    redis,
    users,
    refreshTokens,
  });
  const server = http.createServer(app);
  const port = await listen(server, config.PORT);
  log.info('identity-service listening', { port });

  onShutdown(log, [() => closeServer(server), () => closeRedis(redis), () => conn.close()], {
    timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  });
}

runMain(SERVICE, main);
