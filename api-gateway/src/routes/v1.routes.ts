import type { RequestHandler } from 'express';
import type { Express } from 'express';
import { requireAuth, type TokenConfig } from '@social/common/auth';
import type { Logger } from '@social/common/logger';
import type { Metrics } from '@social/common/metrics';
import type { GatewayConfig } from '../config';
import { upstreamProxy, type UpstreamRoute } from '../proxy/upstream-proxy';
import type { RateLimiters } from '../rate-limit/rate-limiters';
import { chain } from '../http/chain';

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

// The areas behind requireAuth (and the per-user limiter): everything under /v1 but auth and the public media files.
// Matched like Express mounts them (case-insensitive, whole segments).
const AUTHENTICATED_AREA = /^\/v1\/(users|posts|search|media)(\/|$)/i;
const PUBLIC_MEDIA_FILES = /^\/v1\/media\/files(\/|$)/i;

/** Whether a request to `path` goes through authentication and the per-user limit. */
export const isAuthenticatedPath = (path: string): boolean =>
  AUTHENTICATED_AREA.test(path) && !PUBLIC_MEDIA_FILES.test(path);

/**
 * The public `/v1` API: each area is proxied to its service's `/api/<area>`. Users, posts, media and search
 * need a verified access token (the user id is forwarded as x-user-id); auth and the local media files are
 * public.
 * No body is parsed here, not even login/register: identity-service reads those and limits them itself.
 * Mounted on the app itself, one layer per area: a router of their own would be walked by every request.
 */
export function mountV1Routes(app: Express, deps: V1Deps): void {
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

  app.use(
    '/v1/auth',
    proxy({
      name: 'identity-service',
      target: config.IDENTITY_SERVICE_URL,
      from: '/v1/auth',
      to: '/api/auth',
    }),
  );
  app.use(
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
  app.use('/v1/media/files', media);
  app.use('/v1/media', authenticated(media));
  app.use(
    '/v1/posts',
    authenticated(
      proxy({ name: 'post-service', target: config.POST_SERVICE_URL, from: '/v1/posts', to: '/api/posts' }),
    ),
  );
  app.use(
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
}
