import { Counter, type Registry } from '@social/common/metrics';

export interface AuthMetrics {
  registrations: Counter<'outcome'>;
  logins: Counter<'outcome'>;
  refreshes: Counter<'outcome'>;
  logouts: Counter;
  rateLimitStoreErrors: Counter;
}

export function createAuthMetrics(registry: Registry): AuthMetrics {
  return {
    registrations: new Counter({
      name: 'auth_registrations_total',
      help: 'Registrations by outcome (created, conflict)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    logins: new Counter({
      name: 'auth_logins_total',
      help: 'Login attempts by outcome (success, invalid_credentials, rate_limited)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    refreshes: new Counter({
      name: 'auth_refreshes_total',
      help: 'Refresh-token rotations by outcome (success, invalid, reuse_detected)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    logouts: new Counter({
      name: 'auth_logouts_total',
      help: 'Logout requests',
      registers: [registry],
    }),
    rateLimitStoreErrors: new Counter({
      name: 'auth_rate_limit_store_errors_total',
      help: 'Login requests let through unlimited because the Redis limiter store failed',
      registers: [registry],
    }),
  };
}
