import type { Request, RequestHandler, Response, Router as ExpressRouter } from 'express';
import { Router } from 'express';
import {
  Counter,
  Gauge,
  Histogram,
  Registry,
  collectDefaultMetrics,
  type CounterConfiguration,
  type GaugeConfiguration,
  type HistogramConfiguration,
} from 'prom-client';

export { Registry, type Counter, type Gauge, type Histogram };

const labelNamesOf = (metric: object): string[] =>
  'labelNames' in metric && Array.isArray(metric.labelNames) ? metric.labelNames.map(String) : [];

/**
 * The metric already registered under `config.name`, if any. Several instances of one module can share a
 * registry (a publisher and a consumer bus in one process, a test building a second app), and prom-client
 * throws on a second registration of a name. Reuse is safe only for the same kind of metric with the same
 * labels: anything else is a naming clash, and throws.
 */
function registered<M extends object>(
  registry: Registry,
  kind: abstract new (...args: never[]) => M,
  config: { name: string; labelNames?: readonly string[] },
): M | undefined {
  const metric = registry.getSingleMetric(config.name);
  if (metric === undefined) return undefined;
  const labels = [...(config.labelNames ?? [])];
  if (metric instanceof kind && labelNamesOf(metric).join() === labels.join()) return metric;
  throw new Error(`metric ${config.name} is already registered as another kind or with other labels`);
}

/** The one way to make a counter: on the service's registry (never prom-client's global one), reused by name. */
export function counter<L extends string = string>(
  registry: Registry,
  config: Omit<CounterConfiguration<L>, 'registers'>,
): Counter<L> {
  return (
    registered<Counter<L>>(registry, Counter, config) ?? new Counter({ ...config, registers: [registry] })
  );
}

/** The one way to make a gauge (a `collect()` reads the value at scrape time); reused by name like `counter`. */
export function gauge<L extends string = string>(
  registry: Registry,
  config: Omit<GaugeConfiguration<L>, 'registers'>,
): Gauge<L> {
  return registered<Gauge<L>>(registry, Gauge, config) ?? new Gauge({ ...config, registers: [registry] });
}

/** The one way to make a histogram; reused by name like `counter`. */
export function histogram<L extends string = string>(
  registry: Registry,
  config: Omit<HistogramConfiguration<L>, 'registers'>,
): Histogram<L> {
  return (
    registered<Histogram<L>>(registry, Histogram, config) ??
    new Histogram({ ...config, registers: [registry] })
  );
}

/**
 * Buckets for an event's age along its way (outbox, delivery, effect): fine between 50 and 500 ms, where a
 * 100 ms aim is read, and wide enough to show a broker outage's minutes.
 */
export const EVENT_LAG_BUCKETS_SECONDS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.35, 0.5, 0.75, 1, 2.5, 5, 15, 60, 300,
];

export interface Metrics {
  registry: Registry;
  /** Records every request's duration by route template (never the raw URL: ids would explode cardinality). */
  httpMetrics(): RequestHandler;
  /** What httpMetrics records for a finished request, for a caller that already timed it. */
  recordRequest(req: Request, res: Response, durationSeconds: number): void;
  metricsRoute(): ExpressRouter;
}

export function createMetrics(service: string, options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const duration = histogram(registry, {
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route template and status',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  });
  const recordRequest = (req: Request, res: Response, durationSeconds: number): void => {
    // A mount without a route (the gateway's proxies) is labelled by its prefix; anything else that
    // matched nothing is one label, so unknown URLs cannot create series.
    const route = req.route
      ? `${req.baseUrl}${String(req.route.path)}`
      : req.baseUrl && res.statusCode !== 404
        ? `${req.baseUrl}/*`
        : 'unmatched';
    duration.observe({ method: req.method, route, status_code: String(res.statusCode) }, durationSeconds);
  };
  return {
    registry,
    recordRequest,
    httpMetrics: () => (req, res, next) => {
      const start = process.hrtime.bigint();
      res.on('finish', () => recordRequest(req, res, Number(process.hrtime.bigint() - start) / 1e9));
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
