import { closeServer, listen, logProcessWarnings, onShutdown, runMain } from '@social/common/lifecycle';
import { startInternalServer } from '@social/common/http';
import { createServiceLogger } from '@social/common/logger';
import { createMetrics } from '@social/common/metrics';
import { closeRedis, createRedis } from '@social/common/redis';
import { createApp } from './app';
import { loadGatewayConfig } from './config';
import { gatewayReadiness } from './readiness';
import { createEdgeServer } from './http/edge-server';

async function main(): Promise<void> {
  const config = loadGatewayConfig();
  const log = createServiceLogger('api-gateway', config);
  logProcessWarnings(log);
  // No key prefix on the client: the limiter stores put REDIS_KEY_PREFIX into their own keys. No auto-pipelining:
  // the limiters already count every request of an event-loop turn in one script call.
  const redis = createRedis({ url: config.REDIS_URL, log, name: 'api-gateway' });
  const metrics = createMetrics('api-gateway');
  const server = createEdgeServer(createApp({ config, log, metrics, redis }), log);
  const internal = await startInternalServer({
    log,
    metrics,
    readiness: gatewayReadiness(redis, config),
    port: config.METRICS_PORT,
  });
  onShutdown(
    log,
    [
      () => internal.probe.shuttingDown(),
      () => closeServer(server),
      () => closeRedis(redis),
      () => closeServer(internal.server),
    ],
    { timeoutMs: config.SHUTDOWN_TIMEOUT_MS },
  );
  const port = await listen(server, config.PORT);
  log.info('api-gateway listening', { port });
}

runMain('api-gateway', main);
