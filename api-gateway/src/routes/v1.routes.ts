import type { RequestHandler } from 'express';
import { Router } from 'express';
import { requireAuth, type TokenConfig } from '@social/common/auth';
import { ValidationError } from '@social/common/http';
import type { Logger } from '@social/common/logger';
import type { Metrics } from '@social/common/metrics';
import type { GatewayConfig } from '../config';
import { upstreamProxy, type UpstreamRoute } from '../proxy/upstream-proxy';
import type { RateLimiters } from '../rate-limit/rate-limiters';
import { stripInternalHeaders } from './internal-headers';

export interface V1Deps {
  config: TokenConfig &
    Pick<
      GatewayConfig,
      | 'IDENTITY_SERVICE_URL'
      | 'POST_SERVICE_URL'
      | 'MEDIA_SERVICE_URL'
      | 'SEARCH_SERVICE_URL'
      | 'PROXY_TIMEOUT_MS'
    >;
  log: Logger;
  metrics: Metrics;
  limiters: RateLimiters;
}

// `..` or `.` segments (also percent-encoded) could walk a public prefix into a protected one upstream.
const DOT_SEGMENT = /(^|\/)(\.|%2e){1,2}(\/|$|\?)/i;

// The areas behind requireAuth (and the per-user limiter): everything under /v1 but auth and the public media files.
// Matched like Express mounts them (case-insensitive, whole segments).
const AUTHENTICATED_AREA = /^\/v1\/(users|posts|search|media)(\/|$)/i;
const PUBLIC_MEDIA_FILES = /^\/v1\/media\/files(\/|$)/i;

/** Whether a request to `path` goes through authentication and the per-user limit. */
export const isAuthenticatedPath = (path: string): boolean =>
  AUTHENTICATED_AREA.test(path) && !PUBLIC_MEDIA_FILES.test(path);

const rejectDotSegments: RequestHandler = (req, _res, next) => {
  if (DOT_SEGMENT.test(req.path)) throw new ValidationError('Invalid path');
  next();
};

/**
 * Handlers run in order in one router layer, as express runs consecutive layers of one mount: a throw or a
 * rejected promise goes to `next(err)`, and so does an error a handler passes on; the last one's `next` is the
 * router's. Express matches, strips and restores the mount path once per layer: once per area instead of once
 * per handler.
 */
const chain =
  (...handlers: RequestHandler[]): RequestHandler =>
  (req, res, next) => {
    let index = 0;
    const step = (err?: unknown): void => {
      // Express's own test: any truthy value passed on is an error.
      if (err) {
        next(err);
        return;
      }
      const handler = handlers[index++];
      if (!handler) {
        next();
        return;
      }
      try {
        const result: unknown = handler(req, res, step);
        if (result instanceof Promise) {
          result.catch((rejection: unknown) => next(rejection ? rejection : new Error('Rejected promise')));
        }
      } catch (thrown) {
        next(thrown);
      }
    };
    step();
  };

/**
 * The public `/v1` API: each area is proxied to its service's `/api/<area>`. Users, posts, media and search
 * need a verified access token (the user id is forwarded as x-user-id); auth and the local media files are
 * public.
 * No body is parsed here, not even login/register: identity-service reads those and limits them itself.
 */
export function v1Routes(deps: V1Deps): Router {
  const { config, limiters } = deps;
  const proxy = (route: UpstreamRoute): RequestHandler =>
    upstreamProxy(route, { log: deps.log, metrics: deps.metrics, timeoutMs: config.PROXY_TIMEOUT_MS });
  const auth = requireAuth(config, { verifiedEarlier: limiters.verifiedEarlier });
  const authenticated = (upstream: RequestHandler): RequestHandler => chain(auth, limiters.perUser, upstream);
  const media = proxy({
    name: 'media-service',
    target: config.MEDIA_SERVICE_URL,
    from: '/v1/media',
    to: '/api/media',
  });

  const router = Router();
  router.use('/v1', chain(rejectDotSegments, stripInternalHeaders()));

  router.use(
    '/v1/auth',
    proxy({
      name: 'identity-service',
      target: config.IDENTITY_SERVICE_URL,
      from: '/v1/auth',
      to: '/api/auth',
    }),
  );
  router.use(
    '/v1/users',
    authenticated(
      proxy({
        name: 'identity-service',
        target: config.IDENTITY_SERVICE_URL,
        from: '/v1/users',
        to: '/api/users',
      }),
    ),
  );
  router.use('/v1/media/files', media);
  router.use('/v1/media', authenticated(media));
  router.use(
    '/v1/posts',
    authenticated(
      proxy({ name: 'post-service', target: config.POST_SERVICE_URL, from: '/v1/posts', to: '/api/posts' }),
    ),
  );
  router.use(
    '/v1/search',
    authenticated(
      proxy({
        name: 'search-service',
        target: config.SEARCH_SERVICE_URL,
        from: '/v1/search',
        to: '/api/search',
      }),
    ),
  );
  return router;
}
