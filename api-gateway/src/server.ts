import http from 'node:http';
import { closeServer, listen, onShutdown, runMain } from '@social/common/lifecycle';
import { createServiceLogger } from '@social/common/logger';
import { createMetrics } from '@social/common/metrics';
import { closeRedis, createRedis } from '@social/common/redis';
import { createApp } from './app';
import { loadGatewayConfig } from './config';

async function main(): Promise<void> {
  const config = loadGatewayConfig();
  const log = createServiceLogger('api-gateway', config);
  // No key prefix on the client: the limiter stores put REDIS_KEY_PREFIX into their own keys.
  const redis = createRedis({ url: config.REDIS_URL, log, name: 'api-gateway' });
  const metrics = createMetrics('api-gateway');
  const server = http.createServer(createApp({ config, log, metrics, redis }));
  onShutdown(log, [() => closeServer(server), () => closeRedis(redis)], {
    timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  });
  const port = await listen(server, config.PORT);
  log.info('api-gateway listening', { port });
}

runMain('api-gateway', main);
