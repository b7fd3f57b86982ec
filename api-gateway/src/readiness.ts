import type { Readiness } from '@social/common/health';
import { pingRedis, type Redis } from '@social/common/redis';
import type { GatewayConfig } from './config';

export type UpstreamUrls = Pick<
  GatewayConfig,
  'IDENTITY_SERVICE_URL' | 'POST_SERVICE_URL' | 'MEDIA_SERVICE_URL' | 'SEARCH_SERVICE_URL'
>;

const upstreamHealth = (baseUrl: string) => async (): Promise<void> => {
  const res = await fetch(new URL('/health', baseUrl), { signal: AbortSignal.timeout(1_000) });
  await res.body?.cancel();
  if (!res.ok) throw new Error(`health answered ${res.status}`);
};

/**
 * The gateway needs nothing but itself to be ready: its limiter fails open without Redis, and one sick upstream
 * must not take every other route out of rotation. Both are reported (body, `dependency_up`) as degraded.
 */
export function gatewayReadiness(redis: Redis, urls: UpstreamUrls): Readiness {
  return {
    optional: {
      redis: () => pingRedis(redis),
      'identity-service': upstreamHealth(urls.IDENTITY_SERVICE_URL),
      'post-service': upstreamHealth(urls.POST_SERVICE_URL),
      'media-service': upstreamHealth(urls.MEDIA_SERVICE_URL),
      'search-service': upstreamHealth(urls.SEARCH_SERVICE_URL),
    },
  };
}
