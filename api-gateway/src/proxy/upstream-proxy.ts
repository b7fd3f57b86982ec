import http from 'node:http';
import type { Request, RequestHandler, Response } from 'express';
import { createProxyMiddleware, fixRequestBody } from 'http-proxy-middleware';
import { GatewayTimeoutError, sendError, UpstreamError } from '@social/common/http';
import type { Logger } from '@social/common/logger';
import { Counter, type Metrics } from '@social/common/metrics';

export interface UpstreamRoute {
  /** Label in logs and metrics. */
  name: string;
  target: string;
  /** Public prefix (`/v1/posts`) and the service's own (`/api/posts`). */
  from: string;
  to: string;
}

export interface ProxyOptions {
  log: Logger;
  metrics: Metrics;
  timeoutMs: number;
}

const upstreamErrors = (metrics: Metrics): Counter<'upstream' | 'reason'> =>
  (metrics.registry.getSingleMetric('gateway_upstream_errors_total') as
    Counter<'upstream' | 'reason'> | undefined) ??
  new Counter({
    name: 'gateway_upstream_errors_total',
    help: 'Proxied requests that got no upstream answer, by upstream and reason (timeout, unreachable)',
    labelNames: ['upstream', 'reason'] as const,
    registers: [metrics.registry],
  });

const isExpressResponse = (res: unknown): res is Response =>
  res instanceof http.ServerResponse && typeof (res as Partial<Response>).status === 'function';

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A streaming reverse proxy to one upstream: bodies are piped, never parsed (a JSON body the gateway did parse
 * is re-serialized by fixRequestBody), sockets are kept alive, an upstream silent for `timeoutMs` gets a 504
 * and an unreachable one a 502, both as the usual JSON error.
 */
export function upstreamProxy(route: UpstreamRoute, options: ProxyOptions): RequestHandler {
  const { log } = options;
  const errors = upstreamErrors(options.metrics);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const timedOut = new WeakSet<http.IncomingMessage>();
  // Mounted under `route.from`, the path the proxy sees has the mount stripped; rebuild from originalUrl.
  const prefix = new RegExp(`^${escapeRegExp(route.from)}`, 'i');
  return createProxyMiddleware<Request, Response>({
    target: route.target,
    agent,
    changeOrigin: true,
    xfwd: true,
    proxyTimeout: options.timeoutMs,
    pathRewrite: (_path, req) => req.originalUrl.replace(prefix, route.to),
    on: {
      proxyReq: (proxyReq, req) => {
        if (req.user) proxyReq.setHeader('x-user-id', req.user.id);
        proxyReq.once('timeout', () => timedOut.add(req));
        fixRequestBody(proxyReq, req);
      },
      proxyRes: (proxyRes) => {
        // The gateway's own security headers stand; an upstream must not advertise its framework.
        delete proxyRes.headers['x-powered-by'];
      },
      error: (err, req, res) => {
        const timeout = timedOut.has(req);
        errors.inc({ upstream: route.name, reason: timeout ? 'timeout' : 'unreachable' });
        log.warn(timeout ? 'upstream timed out' : 'upstream unreachable', {
          upstream: route.name,
          requestId: req.requestId,
          err,
        });
        if (!isExpressResponse(res)) {
          res.destroy();
          return;
        }
        if (res.headersSent) {
          res.destroy();
          return;
        }
        sendError(
          res,
          timeout
            ? new GatewayTimeoutError(`${route.name} did not answer in time`)
            : new UpstreamError(`${route.name} is unavailable`),
        );
      },
    },
  });
}
