import type { Express } from 'express';
import type { Readiness } from '@social/common/health';
import { createServiceApp } from '@social/common/http';
import type { Logger } from '@social/common/logger';
import type { Metrics } from '@social/common/metrics';
import type { Redis } from '@social/common/redis';
import { createAuthMetrics } from './auth-metrics';
import type { IdentityConfig } from './config';
import { createPasswordHasher } from './domain/password-hasher';
import { loginRateLimit } from './http/login-rate-limit';
import type { RefreshTokenModel } from './models/refresh-token.model';
import type { UserModel } from './models/user.model';
import { authRoutes } from './routes/auth.routes';

export interface IdentityAppDeps {
  config: IdentityConfig;
  log: Logger;
  metrics: Metrics;
  readiness: Readiness;
  redis: Redis;
  users: UserModel;
  refreshTokens: RefreshTokenModel;
}

export function createApp(deps: IdentityAppDeps): Express {
  const { config, log, metrics, redis } = deps;
  const authMetrics = createAuthMetrics(metrics.registry);
  const hasher = createPasswordHasher({
    memoryCost: config.ARGON2_MEMORY_KIB,
    timeCost: config.ARGON2_TIME_COST,
    parallelism: config.ARGON2_PARALLELISM,
  });
  const loginLimiter = loginRateLimit({
    redis,
    log,
    authMetrics,
    windowMs: config.LOGIN_RATE_LIMIT_WINDOW_MS,
    max: config.LOGIN_RATE_LIMIT_MAX,
  });
  return createServiceApp({ log, metrics, readiness: deps.readiness }, (app) => {
    app.use(
      '/api/auth',
      authRoutes({
        config,
        log,
        users: deps.users,
        refreshTokens: deps.refreshTokens,
        hasher,
        authMetrics,
        loginLimiter,
        jsonBodyLimit: config.JSON_BODY_LIMIT,
      }),
    );
  });
}
