import http from 'node:http';
import { createEventBus, eventBusSettings } from '@social/common/events';
import { startInternalServer } from '@social/common/http';
import { closeServer, listen, logProcessWarnings, onShutdown, runMain } from '@social/common/lifecycle';
import { createServiceLogger } from '@social/common/logger';
import { createMetrics } from '@social/common/metrics';
import { connectMongo } from '@social/common/mongo';
import { createApp } from './app';
import { loadMediaConfig, type MediaConfig } from './config';
import { mediaSubscriptions } from './events/subscriptions';
import { createMediaModel } from './models/media.model';
import { mediaReadiness } from './readiness';
import { createCloudinaryStorage } from './storage/cloudinary.storage';
import { createLocalStorage, type LocalStorage } from './storage/local.storage';
import type { MediaStorage, MediaStorages } from './storage/media-storage';

const SERVICE = 'media-service';

async function createStorages(
  config: MediaConfig,
): Promise<{ storages: MediaStorages; local: LocalStorage }> {
  const local = await createLocalStorage({ dir: config.MEDIA_DIR, publicUrl: config.MEDIA_PUBLIC_URL });
  const cloudinary: MediaStorage | undefined = config.cloudinary
    ? createCloudinaryStorage({
        credentials: config.cloudinary,
        folder: config.CLOUDINARY_FOLDER || undefined,
        timeoutMs: config.CLOUDINARY_TIMEOUT_MS,
        uploadPrefix: config.CLOUDINARY_UPLOAD_PREFIX,
      })
    : undefined;
  const byName = { local, ...(cloudinary ? { cloudinary } : {}) };
  const active = byName[config.storage];
  // resolveMediaConfig only picks cloudinary when credentials exist, so this is a wiring guard.
  if (!active) throw new Error(`storage driver ${config.storage} is not available`);
  return { storages: { active, byName }, local };
}

async function main(): Promise<void> {
  const config = loadMediaConfig();
  const log = createServiceLogger(SERVICE, config);
  logProcessWarnings(log);
  const metrics = createMetrics(SERVICE);

  const { storages, local } = await createStorages(config);
  log.info('media storage selected', { storage: storages.active.name, reason: config.storageReason });

  const conn = await connectMongo({ uri: config.MONGO_URI, log });
  const media = createMediaModel(conn);
  await media.init();

  const bus = createEventBus({
    ...eventBusSettings(config),
    appId: SERVICE,
    log,
    registry: metrics.registry,
  });
  // Keeps retrying in the background: the HTTP API serves while the broker is down, /ready says so.
  bus.start();
  for (const subscription of mediaSubscriptions({
    media,
    storages,
    log,
    registry: metrics.registry,
    queues: { postDeleted: config.MEDIA_POST_DELETED_QUEUE, userDeleted: config.MEDIA_USER_DELETED_QUEUE },
  })) {
    await bus.subscribe(subscription);
  }

  const app = createApp({ config, log, metrics, media, storages, local });
  const server = http.createServer(app);
  const internal = await startInternalServer({
    log,
    metrics,
    readiness: mediaReadiness({ conn, bus, storage: storages.active.name }),
    port: config.METRICS_PORT,
  });
  const port = await listen(server, config.PORT);
  log.info('media-service listening', { port, storage: storages.active.name });

  onShutdown(
    log,
    [
      () => internal.probe.shuttingDown(),
      () => closeServer(server),
      () => bus.close(),
      () => conn.close(),
      () => closeServer(internal.server),
    ],
    { timeoutMs: config.SHUTDOWN_TIMEOUT_MS },
  );
}

runMain(SERVICE, main);
