import type { Express } from 'express';
import { requireAuth, type TokenConfig } from '@social/common/auth';
import type { Readiness } from '@social/common/health';
import { createServiceApp } from '@social/common/http';
import type { Logger } from '@social/common/logger';
import { Counter, type Metrics } from '@social/common/metrics';
import type { MediaModel } from './models/media.model';
import { filesRoutes } from './routes/files.routes';
import { mediaRoutes } from './routes/media.routes';
import type { LocalStorage } from './storage/local.storage';
import type { MediaStorages } from './storage/media-storage';

export interface MediaAppDeps {
  config: TokenConfig & { MEDIA_MAX_BYTES: number };
  log: Logger;
  metrics: Metrics;
  readiness: Readiness;
  media: MediaModel;
  storages: MediaStorages;
  /** Serves files of the local driver; present whatever the active driver is, for older local records. */
  local: LocalStorage;
}

export function createApp(deps: MediaAppDeps): Express {
  const uploads = new Counter({
    name: 'media_uploads_total',
    help: 'Media stored and recorded, by storage driver',
    labelNames: ['storage'] as const,
    registers: [deps.metrics.registry],
  });
  return createServiceApp(deps, (app) => {
    // Public first: gateway and browsers fetch local files without a token.
    app.use('/api/media', filesRoutes({ media: deps.media, local: deps.local }));
    app.use(
      '/api/media',
      requireAuth(deps.config),
      mediaRoutes({
        media: deps.media,
        storage: deps.storages.active,
        log: deps.log,
        maxUploadBytes: deps.config.MEDIA_MAX_BYTES,
        onUploaded: (storage) => uploads.inc({ storage }),
      }),
    );
  });
}
