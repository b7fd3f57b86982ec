import http, { type Server } from 'node:http';
import express, { type Express } from 'express';
import {
  createReadinessProbe,
  healthRoute,
  readinessRoute,
  type Readiness,
  type ReadinessProbe,
} from '../health';
import { listen } from '../lifecycle';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { errorHandler, notFound } from './error-handler';
import { requestContext } from './request-context';

/**
 * What only operators and the orchestrator read, on its own port (`METRICS_PORT`), never on the public one:
 * `/metrics` (Prometheus), `/ready` with every dependency's state, and `/health` for probes that want one port.
 */
export function createInternalApp(deps: { log: Logger; metrics: Metrics; probe: ReadinessProbe }): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(requestContext());
  app.use(healthRoute(), readinessRoute(deps.probe), deps.metrics.metricsRoute());
  app.use(notFound(), errorHandler(deps.log));
  return app;
}

/**
 * Starts the internal listener of a service: the probe behind `/ready`, and the server to close last on shutdown
 * (after `probe.shuttingDown()` has told the orchestrator to stop sending traffic).
 */
export async function startInternalServer(deps: {
  log: Logger;
  metrics: Metrics;
  readiness: Readiness;
  port: number;
}): Promise<{ server: Server; probe: ReadinessProbe; port: number }> {
  const probe = createReadinessProbe(deps.readiness, { log: deps.log, registry: deps.metrics.registry });
  const server = http.createServer(createInternalApp({ log: deps.log, metrics: deps.metrics, probe }));
  const port = await listen(server, deps.port);
  deps.log.info('internal endpoints listening', { port, paths: ['/metrics', '/ready', '/health'] });
  return { server, probe, port };
}
