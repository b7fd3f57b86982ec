import { counter, type Counter, type Registry } from '@social/common/metrics';

export interface AuthMetrics {
  registrations: Counter<'outcome'>;
  logins: Counter<'outcome'>;
  refreshes: Counter<'outcome'>;
  logouts: Counter;
  rateLimitStoreErrors: Counter<'limiter'>;
}

export function createAuthMetrics(registry: Registry): AuthMetrics {
  return {
    registrations: counter(registry, {
      name: 'auth_registrations_total',
      help: 'Registrations by outcome (created, conflict, rate_limited)',
      labelNames: ['outcome'] as const,
    }),
    logins: counter(registry, {
      name: 'auth_logins_total',
      help: 'Login attempts by outcome (success, invalid_credentials, rate_limited)',
      labelNames: ['outcome'] as const,
    }),
    refreshes: counter(registry, {
      name: 'auth_refreshes_total',
      help: 'Refresh-token rotations by outcome (success, invalid, reuse_detected)',
      labelNames: ['outcome'] as const,
    }),
    logouts: counter(registry, {
      name: 'auth_logouts_total',
      help: 'Logout requests',
    }),
    rateLimitStoreErrors: counter(registry, {
      name: 'auth_rate_limit_store_errors_total',
      help: 'Login/register requests let through unlimited because the Redis limiter store failed, by limiter (email, ip)',
      labelNames: ['limiter'] as const,
    }),
  };
}
