import type { RequestHandler, Router as ExpressRouter } from 'express';
import { Router } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export { Counter, Gauge, Histogram, Registry };

export interface Metrics {
  registry: Registry;
  /** Records every request's duration by route template (never the raw URL: ids would explode cardinality). */
  httpMetrics(): RequestHandler;
  metricsRoute(): ExpressRouter;
}

export function createMetrics(service: string, options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route template and status',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  return {
    registry,
    httpMetrics: () => (req, res, next) => {
      const end = duration.startTimer();
      res.on('finish', () => {
        // A mount without a route (the gateway's proxies) is labelled by its prefix; anything else that
        // matched nothing is one label, so unknown URLs cannot create series.
        const route = req.route
          ? `${req.baseUrl}${String(req.route.path)}`
          : req.baseUrl && res.statusCode !== 404
            ? `${req.baseUrl}/*`
            : 'unmatched';
        end({ method: req.method, route, status_code: String(res.statusCode) });
      });
      next();
    },
    metricsRoute: () => {
      const router = Router();
      router.get('/metrics', async (_req, res) => {
        res.setHeader('Content-Type', registry.contentType);
        res.send(await registry.metrics());
      });
      return router;
    },
  };
}
