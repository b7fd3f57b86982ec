import express, { type Express } from 'express';
import type { TrustProxy } from '../config';
import { answerHealth } from '../health';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { errorHandler, notFound, type ErrorMapper } from './error-handler';
import { requestFrame } from './request-frame';

export interface ServiceAppOptions {
  log: Logger;
  metrics: Metrics;
  /**
   * Express `trust proxy` (the service's `TRUST_PROXY`): who may set `X-Forwarded-For`. Default loopback, the
   * gateway of `npm run dev`: a hop count trusts whoever connects, so a direct client could pick its address.
   */
  trustProxy?: TrustProxy;
  /** How the errors of the libraries this service uses map to client answers (e.g. `mongoErrors`). */
  errorMappers?: readonly ErrorMapper[];
  /**
   * Set for the services on the private network: every answer of theirs reaches clients through the gateway,
   * which sets helmet's headers on it. Sending them too made each answer a dozen headers (~700 bytes) longer
   * for the gateway to parse, validate and copy over its own identical ones.
   */
  behindGateway?: boolean;
}

/**
 * The frame every service shares: security headers (at the edge), request id + log context, access log,
 * metrics, the liveness probe, then the service's own routes, then 404 and the one error handler. Readiness
 * details and /metrics are not here: they are on the internal port (createInternalApp).
 */
export function createServiceApp(options: ServiceAppOptions, mountRoutes: (app: Express) => void): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', options.trustProxy ?? 'loopback');
  app.use(requestFrame({ ...options, securityHeaders: !options.behindGateway }));
  // A route of the app's own, not a mounted router: every request would walk into that router and out again.
  app.get('/health', answerHealth);
  mountRoutes(app);
  app.use(notFound(), errorHandler(options.log, options.errorMappers));
  return app;
}
