import type { Express } from 'express';
import type { TokenConfig } from '@social/common/auth';
import { requireAuth } from '@social/common/auth';
import { createServiceApp } from '@social/common/http';
import type { Logger } from '@social/common/logger';
import type { Metrics } from '@social/common/metrics';
import { mongoErrors } from '@social/common/mongo';
import type { SearchPostModel } from './models/search-post.model';
import { searchRoutes } from './routes/search.routes';

export interface SearchAppDeps {
  config: TokenConfig;
  log: Logger;
  metrics: Metrics;
  searchPosts: SearchPostModel;
}

/** Assembles the HTTP side; no listen, no env, no connections (server.ts and tests pass them in). */
export function createApp(deps: SearchAppDeps): Express {
  return createServiceApp(
    { log: deps.log, metrics: deps.metrics, errorMappers: [mongoErrors], behindGateway: true },
    (app) => {
      app.use('/api/search', requireAuth(deps.config), searchRoutes(deps));
    },
  );
}
