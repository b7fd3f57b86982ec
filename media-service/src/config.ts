import path from 'node:path';
import Joi from 'joi';
import {
  baseConfigKeys,
  listenConfigKeys,
  ConfigError,
  jwtConfigKeys,
  loadConfig,
  mongoConfigKeys,
  rabbitConfigKeys,
  type BaseConfig,
  type ListenConfig,
  type JwtConfig,
  type MongoConfig,
  type RabbitConfig,
} from '@social/common/config';

import { STORAGE_NAMES, type StorageName } from './models/media.model';

const serviceDir = path.resolve(__dirname, '..');

/** `cloudinary://<api_key>:<api_secret>@<cloud_name>`, as the Cloudinary console shows it. */
const CLOUDINARY_URL_PATTERN = /^cloudinary:\/\/([^:@/\s]+):([^@/\s]+)@([A-Za-z0-9_-]+)\/?$/;

export const mediaConfigSchema = Joi.object<MediaEnv, true>({
  ...baseConfigKeys,
  ...mongoConfigKeys,
  ...rabbitConfigKeys,
  ...jwtConfigKeys,
  ...listenConfigKeys(3003),
  MEDIA_STORAGE: Joi.string()
    .valid(...STORAGE_NAMES)
    .description('storage driver; default cloudinary when credentials are set, else local'),
  MEDIA_MAX_BYTES: Joi.number()
    .integer()
    .min(1)
    .max(1024 * 1024 * 1024)
    .default(10 * 1024 * 1024)
    .description('largest accepted upload in bytes (413 above)'),
  MEDIA_DIR: Joi.string()
    .default(path.join(serviceDir, '.media'))
    .description('folder of the local storage driver'),
  GATEWAY_PORT: Joi.number()
    .port()
    .default(3000)
    .description('the port clients reach the gateway on: the default MEDIA_PUBLIC_URL points there'),
  MEDIA_PUBLIC_URL: Joi.string()
    .uri({ scheme: ['http', 'https'] })
    .default(Joi.ref('GATEWAY_PORT', { adjust: (port: number) => `http://localhost:${port}/v1/media/files` }))
    .description('public base URL of locally stored files (through the gateway)'),
  MEDIA_POST_DELETED_QUEUE: Joi.string()
    .default('media-service.post-deleted')
    .description('durable queue of the post.deleted consumer'),
  MEDIA_USER_DELETED_QUEUE: Joi.string()
    .default('media-service.user-deleted')
    .description('durable queue of the user.deleted consumer (a deleted account loses all its media)'),
  CLOUDINARY_URL: Joi.string()
    .pattern(CLOUDINARY_URL_PATTERN, 'cloudinary://<api_key>:<api_secret>@<cloud_name>')
    .description('Cloudinary credentials in one variable (wins over CLOUDNAME/API_KEY/API_SECRET)'),
  CLOUDNAME: Joi.string().description('Cloudinary cloud name (seed-style credentials)'),
  API_KEY: Joi.string().description('Cloudinary API key (seed-style credentials)'),
  API_SECRET: Joi.string().description('Cloudinary API secret (seed-style credentials)'),
  CLOUDINARY_UPLOAD_PREFIX: Joi.string()
    .uri({ scheme: ['https'] })
    .description('Cloudinary API base URL (default https://api.cloudinary.com); the SDK speaks HTTPS only'),
  CLOUDINARY_FOLDER: Joi.string().allow('').default('social-media').description('folder for uploaded assets'),
  CLOUDINARY_TIMEOUT_MS: Joi.number()
    .integer()
    .min(1000)
    .default(30_000)
    .description('per Cloudinary API call'),
})
  // Seed-style credentials come as a set: one missing is a configuration mistake, not "no Cloudinary".
  .and('CLOUDNAME', 'API_KEY', 'API_SECRET');

interface MediaEnv extends BaseConfig, ListenConfig, MongoConfig, RabbitConfig, JwtConfig {
  MEDIA_STORAGE?: StorageName;
  MEDIA_MAX_BYTES: number;
  MEDIA_DIR: string;
  GATEWAY_PORT: number;
  MEDIA_PUBLIC_URL: string;
  MEDIA_POST_DELETED_QUEUE: string;
  MEDIA_USER_DELETED_QUEUE: string;
  CLOUDINARY_URL?: string;
  CLOUDNAME?: string;
  API_KEY?: string;
  API_SECRET?: string;
  CLOUDINARY_UPLOAD_PREFIX?: string;
  CLOUDINARY_FOLDER: string;
  CLOUDINARY_TIMEOUT_MS: number;
}

export interface CloudinaryCredentials {
  cloudName: string;
  apiKey: string;
  apiSecret: string;
}

export interface MediaConfig extends MediaEnv {
  /** The driver new uploads go to. */
  storage: StorageName;
  /** Why that driver: shown in the start-up log. */
  storageReason: string;
  cloudinary?: CloudinaryCredentials;
}

export function cloudinaryCredentials(env: Partial<MediaEnv>): CloudinaryCredentials | undefined {
  const match = env.CLOUDINARY_URL ? CLOUDINARY_URL_PATTERN.exec(env.CLOUDINARY_URL) : null;
  if (match) {
    const [, apiKey = '', apiSecret = '', cloudName = ''] = match;
    return { cloudName, apiKey: decodeURIComponent(apiKey), apiSecret: decodeURIComponent(apiSecret) };
  }
  if (env.CLOUDNAME && env.API_KEY && env.API_SECRET) {
    return { cloudName: env.CLOUDNAME, apiKey: env.API_KEY, apiSecret: env.API_SECRET };
  }
  return undefined;
}

/** Adds the derived storage choice: explicit MEDIA_STORAGE wins, else Cloudinary when credentials exist. */
export function resolveMediaConfig(env: MediaEnv): MediaConfig {
  const cloudinary = cloudinaryCredentials(env);
  if (env.MEDIA_STORAGE === 'cloudinary' && !cloudinary) {
    throw new ConfigError([
      'MEDIA_STORAGE=cloudinary needs CLOUDINARY_URL or CLOUDNAME, API_KEY and API_SECRET',
    ]);
  }
  const storage: StorageName = env.MEDIA_STORAGE ?? (cloudinary ? 'cloudinary' : 'local');
  const storageReason = env.MEDIA_STORAGE
    ? 'MEDIA_STORAGE'
    : cloudinary
      ? 'Cloudinary credentials are set'
      : 'no Cloudinary credentials';
  return { ...env, storage, storageReason, cloudinary };
}

export type { MediaEnv };

export function loadMediaConfig(env?: NodeJS.ProcessEnv): MediaConfig {
  return resolveMediaConfig(loadConfig(mediaConfigSchema, { serviceDir, env }));
}
