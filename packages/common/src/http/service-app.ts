import express, { type Express } from 'express';
import helmet from 'helmet';
import { healthRoutes, type Readiness } from '../health';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { accessLog } from './access-log';
import { errorHandler, notFound } from './error-handler';
import { requestContext } from './request-context';

export interface ServiceAppOptions {
  log: Logger;
  metrics: Metrics;
  readiness: Readiness;
  /** Express `trust proxy`; services sit behind the gateway. */
  trustProxy?: boolean | number | string;
}

/**
 * The frame every service shares: security headers, request id + log context, access log, metrics, health
 * probes, then the service's own routes, then 404 and the one error handler.
 */
export function createServiceApp(options: ServiceAppOptions, mountRoutes: (app: Express) => void): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', options.trustProxy ?? 1);
  app.use(helmet(), requestContext(), accessLog(options.log), options.metrics.httpMetrics());
  app.use(healthRoutes(options.readiness), options.metrics.metricsRoute());
  mountRoutes(app);
  app.use(notFound(), errorHandler(options.log));
  return app;
}
