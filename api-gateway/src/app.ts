import type { Express } from 'express';
import { createServiceApp } from '@social/common/http';
import type { Logger } from '@social/common/logger';
import type { Metrics } from '@social/common/metrics';
import type { Redis } from '@social/common/redis';
import type { GatewayConfig } from './config';
import { corsHeaders } from './http/cors';
import { chain } from './http/chain';
import { refuseUnknownExpectations } from './http/edge-server';
import { rejectDotSegments, stripInternalHeaders } from './http/request-guards';
import { createRateLimiters } from './rate-limit/rate-limiters';
import { docsRoutes } from './routes/docs.routes';
import { isAuthenticatedPath, mountV1Routes } from './routes/v1.routes';

export interface GatewayAppDeps {
  config: GatewayConfig;
  log: Logger;
  metrics: Metrics;
  /** Shared limiter store; the gateway keeps nothing else in Redis. */
  redis: Redis;
}

/**
 * The gateway: helmet, request id, access log and metrics (common frame), probes, CORS, the per-IP limiter,
 * path and header guards, then the proxied `/v1` API and `/docs`; unknown paths get the JSON 404. No body
 * parser runs anywhere: every body streams to its service as the client framed and encoded it. Serve it with
 * `createEdgeServer`.
 */
export function createApp(deps: GatewayAppDeps): Express {
  const { config, log, metrics, redis } = deps;
  const limiters = createRateLimiters({
    config,
    redis,
    log,
    metrics,
    needsUser: (req) => isAuthenticatedPath(req.path),
  });
  return createServiceApp({ log, metrics, trustProxy: config.TRUST_PROXY }, (app) => {
    // What every request past the probes goes through, as one layer (see chain).
    app.use(
      chain(
        refuseUnknownExpectations(),
        corsHeaders({
          origin: config.CORS_ORIGINS,
          exposedHeaders: ['x-request-id', 'RateLimit', 'RateLimit-Policy', 'Retry-After'],
          maxAge: 600,
        }),
        limiters.perIp,
        rejectDotSegments,
        stripInternalHeaders,
      ),
    );
    // The proxied API first: its requests, nearly all of them, then never walk the docs router.
    mountV1Routes(app, { config, log, metrics, limiters });
    app.use(docsRoutes(config.OPENAPI_PATH));
  });
}
