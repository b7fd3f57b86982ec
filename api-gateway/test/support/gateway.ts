import type { Express } from 'express';
import { captureLogger, testJwtConfig, uniqueName, type CapturedLogger } from '@social/testkit/helpers';
import { createReadinessProbe } from '@social/common/health';
import { createInternalApp } from '@social/common/http';
import type { Logger } from '@social/common/logger';
import { createMetrics, type Metrics } from '@social/common/metrics';
import { closeRedis, createRedis, type Redis } from '@social/common/redis';
import { createApp } from '../../src/app';
import { loadGatewayConfig, type GatewayConfig } from '../../src/config';
import { gatewayReadiness } from '../../src/readiness';

export interface TestGateway {
  app: Express;
  /** The internal listener's app: /metrics and /ready. */
  internal: Express;
  config: GatewayConfig;
  redis: Redis;
  metrics: Metrics;
  log: Logger;
  logs: CapturedLogger['lines'];
  close(): Promise<void>;
}

export interface GatewayOptions {
  /** All four upstreams default to this one (a stub). */
  upstream: string;
  env?: Record<string, string>;
  /** Point the limiter at another Redis (e.g. a closed port). */
  redisUrl?: string;
}

/** The real createApp with real Redis under a fresh key prefix, real signed tokens and captured logs. */
export function gatewayConfig(options: GatewayOptions): GatewayConfig {
  return loadGatewayConfig({
    NODE_ENV: 'test',
    JWT_SECRET: testJwtConfig.JWT_SECRET,
    JWT_ISSUER: testJwtConfig.JWT_ISSUER,
    JWT_AUDIENCE: testJwtConfig.JWT_AUDIENCE,
    REDIS_URL: options.redisUrl ?? 'redis://127.0.0.1:6379',
    REDIS_KEY_PREFIX: `${uniqueName('t')}:`,
    IDENTITY_SERVICE_URL: options.upstream,
    POST_SERVICE_URL: options.upstream,
    MEDIA_SERVICE_URL: options.upstream,
    SEARCH_SERVICE_URL: options.upstream,
    ...options.env,
  });
}

export function buildGateway(
  options: GatewayOptions & { config?: GatewayConfig; redis?: Redis },
): TestGateway {
  const config = options.config ?? gatewayConfig(options);
  const { log, lines } = captureLogger('api-gateway');
  const redis = options.redis ?? createRedis({ url: config.REDIS_URL, log, name: 'gateway-test' });
  const metrics = createMetrics('api-gateway', { defaultMetrics: false });
  const app = createApp({ config, log, metrics, redis });
  const probe = createReadinessProbe(gatewayReadiness(redis, config), { log, registry: metrics.registry });
  const internal = createInternalApp({ log, metrics, probe });
  return { app, internal, config, redis, metrics, log, logs: lines, close: () => closeRedis(redis) };
}
