import type { Express } from 'express';
import { requireAuth, type TokenConfig } from '@social/common/auth';
import { createServiceApp } from '@social/common/http';
import type { Logger } from '@social/common/logger';
import type { Metrics } from '@social/common/metrics';
import { mongoErrors } from '@social/common/mongo';
import { createMediaMetrics } from './metrics';
import type { MediaModel } from './models/media.model';
import { filesRoutes } from './routes/files.routes';
import { mediaRoutes } from './routes/media.routes';
import type { LocalStorage } from './storage/local.storage';
import type { MediaStorages } from './storage/media-storage';
import { uploadErrors } from './routes/upload-errors';

export interface MediaAppDeps {
  config: TokenConfig & { MEDIA_MAX_BYTES: number };
  log: Logger;
  metrics: Metrics;
  media: MediaModel;
  storages: MediaStorages;
  /** Serves files of the local driver; present whatever the active driver is, for older local records. */
  local: LocalStorage;
}

export function createApp(deps: MediaAppDeps): Express {
  const mediaMetrics = createMediaMetrics(deps.metrics.registry);
  return createServiceApp(
    { ...deps, errorMappers: [mongoErrors, uploadErrors], behindGateway: true },
    (app) => {
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
          onUploaded: mediaMetrics.uploaded,
        }),
      );
    },
  );
}
