import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import { createReadinessProbe } from '@social/common/health';
import { createInternalApp } from '@social/common/http';
import { createMetrics, type Metrics } from '@social/common/metrics';
import { connectMongo, pingMongo, type Connection } from '@social/common/mongo';
import { captureLogger, testJwtConfig, type CapturedLogger } from '@social/testkit/helpers';
import { createApp } from '../../src/app';
import { createMediaModel, type MediaModel } from '../../src/models/media.model';
import { createLocalStorage, type LocalStorage } from '../../src/storage/local.storage';
import type { MediaStorage } from '../../src/storage/media-storage';

export const PUBLIC_URL = 'http://media.test/v1/media/files';

export interface MediaTestApp {
  app: Express;
  /** The internal listener's app: /metrics and /ready. */
  internal: Express;
  media: MediaModel;
  local: LocalStorage;
  logs: CapturedLogger;
  metrics: Metrics;
  /** Files currently in the local storage folder. */
  storedFiles(): Promise<string[]>;
}

/**
 * One MongoDB connection and one temporary media folder per test file; `build` makes an app on them with
 * the settings a test needs (active driver, upload limit, a different model). `mediaSubdir` puts the folder
 * below the temporary one, e.g. `x/.media` for a path with a dot segment like the default MEDIA_DIR.
 */
export async function createMediaTestEnv(mongoUri: string, options: { mediaSubdir?: string } = {}) {
  const logs = captureLogger('media-service');
  const conn: Connection = await connectMongo({ uri: mongoUri, log: logs.log, attempts: 1 });
  const media = createMediaModel(conn);
  await media.init();
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'media-test-'));
  const dir = options.mediaSubdir ? path.join(tmp, options.mediaSubdir) : tmp;
  const local = await createLocalStorage({ dir, publicUrl: PUBLIC_URL });

  const build = (
    options: { active?: MediaStorage; maxBytes?: number; media?: MediaModel } = {},
  ): MediaTestApp => {
    const metrics = createMetrics('media-service', { defaultMetrics: false });
    const model = options.media ?? media;
    const active = options.active ?? local;
    const app = createApp({
      config: { ...testJwtConfig, MEDIA_MAX_BYTES: options.maxBytes ?? 10 * 1024 * 1024 },
      log: logs.log,
      metrics,
      media: model,
      local,
      storages: { active, byName: { local, [active.name]: active } },
    });
    const probe = createReadinessProbe(
      { required: { mongo: () => pingMongo(conn) } },
      { log: logs.log, registry: metrics.registry },
    );
    const internal = createInternalApp({ log: logs.log, metrics, probe });
    return { app, internal, media: model, local, logs, metrics, storedFiles: () => readdir(dir) };
  };

  return {
    conn,
    media,
    local,
    logs,
    build,
    close: async () => {
      await conn.close();
      await rm(tmp, { recursive: true, force: true });
    },
  };
}
