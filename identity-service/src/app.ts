import type { Express } from 'express';
import { requireAuth } from '@social/common/auth';
import type { MediaClient } from '@social/common/clients';
import { createCursorCodec, createServiceApp } from '@social/common/http';
import type { Logger } from '@social/common/logger';
import type { Metrics } from '@social/common/metrics';
import type { Redis } from '@social/common/redis';
import { mongoErrors } from '@social/common/mongo';
import { createAuthMetrics } from './metrics';
import type { IdentityConfig } from './config';
import { createPasswordHasher } from './security/argon2-password-hasher';
import { authRateLimits } from './routes/auth-rate-limit';
import type { OutboxKick } from './domain/deps';
import type { FollowModel } from './models/follow.model';
import type { RefreshTokenModel } from './models/refresh-token.model';
import type { UserModel } from './models/user.model';
import { authRoutes } from './routes/auth.routes';
import { usersRoutes } from './routes/users.routes';

export interface IdentityAppDeps {
  config: IdentityConfig;
  log: Logger;
  metrics: Metrics;
  redis: Redis;
  users: UserModel;
  refreshTokens: RefreshTokenModel;
  follows: FollowModel;
  /** Publishes the user.* events the outbox holds (the relay; tests may pass their own). */
  outbox: OutboxKick;
  /** media-service, asked about avatars as the caller. */
  media: MediaClient;
}

export function createApp(deps: IdentityAppDeps): Express {
  const { config, log, metrics, redis } = deps;
  const authMetrics = createAuthMetrics(metrics.registry);
  const hasher = createPasswordHasher({
    memoryCost: config.ARGON2_MEMORY_KIB,
    timeCost: config.ARGON2_TIME_COST,
    parallelism: config.ARGON2_PARALLELISM,
  });
  const rateLimits = authRateLimits({
    redis,
    log,
    authMetrics,
    perEmail: { windowMs: config.AUTH_RATE_LIMIT_WINDOW_MS, max: config.AUTH_RATE_LIMIT_MAX },
    perIp: { windowMs: config.AUTH_IP_RATE_LIMIT_WINDOW_MS, max: config.AUTH_IP_RATE_LIMIT_MAX },
  });
  const domain = {
    config,
    log,
    users: deps.users,
    refreshTokens: deps.refreshTokens,
    follows: deps.follows,
    hasher,
    authMetrics,
    outbox: deps.outbox,
    media: deps.media,
    cursors: createCursorCodec(config.JWT_SECRET),
  };
  const frame = {
    log,
    metrics,
    trustProxy: config.TRUST_PROXY,
    errorMappers: [mongoErrors],
    behindGateway: true,
  };
  return createServiceApp(frame, (app) => {
    app.use('/api/auth', authRoutes({ ...domain, rateLimits, jsonBodyLimit: config.JSON_BODY_LIMIT }));
    // Authenticate before parsing: an anonymous caller's body is never read.
    app.use(
      '/api/users',
      requireAuth(config),
      usersRoutes({ ...domain, jsonBodyLimit: config.JSON_BODY_LIMIT, argon2Budget: rateLimits.perIp }),
    );
  });
}
