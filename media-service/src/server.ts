import http from 'node:http';
import { createEventBus, eventBusSettings, pingEventBus } from '@social/common/events';
import { closeServer, listen, onShutdown, runMain } from '@social/common/lifecycle';
import { createServiceLogger } from '@social/common/logger';
import { createMetrics } from '@social/common/metrics';
import { connectMongo, pingMongo } from '@social/common/mongo';
import { createApp } from './app';
import { loadMediaConfig, type MediaConfig } from './config';
import { postDeletedSubscription } from './events/subscriptions';
import { createMediaModel } from './models/media.model';
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
  await bus.subscribe(
    postDeletedSubscription({
      media,
      storages,
      log,
      registry: metrics.registry,
      queue: config.MEDIA_POST_DELETED_QUEUE,
    }),
  );

  const app = createApp({
    config,
    log,
    metrics,
    media,
    storages,
    local,
    readiness: {
      checks: {
        mongo: () => pingMongo(conn),
        broker: () => pingEventBus(bus),
      },
      details: () => ({ storage: storages.active.name }),
    },
  });
  const server = http.createServer(app);
  const port = await listen(server, config.PORT);
  log.info('media-service listening', { port, storage: storages.active.name });

  onShutdown(log, [() => closeServer(server), () => bus.close(), () => conn.close()], {
    timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  });
}

runMain(SERVICE, main);
