import path from 'node:path';
import Joi from 'joi';
import {
  baseConfigKeys,
  jwtConfigKeys,
  loadConfig,
  mongoConfigKeys,
  rabbitConfigKeys,
  redisConfigKeys,
  type BaseConfig,
  type JwtConfig,
  type MongoConfig,
  type RabbitConfig,
  type RedisConfig,
} from '@social/common/config';

export const postConfigSchema = Joi.object({
  ...baseConfigKeys,
  ...mongoConfigKeys,
  ...redisConfigKeys,
  ...rabbitConfigKeys,
  ...jwtConfigKeys,
  PORT: Joi.number().port().default(3002),
  CACHE_ENABLED: Joi.boolean().default(true).description('read-through Redis cache for posts and list pages'),
  POST_CACHE_TTL_SECONDS: Joi.number().integer().min(1).default(3600).description('lifetime of post:<id>'),
  POST_LIST_CACHE_TTL_SECONDS: Joi.number()
    .integer()
    .min(1)
    .default(300)
    .description('lifetime of a cached list page'),
  OUTBOX_INTERVAL_MS: Joi.number()
    .integer()
    .min(50)
    .default(1000)
    .description('outbox relay pass when idle (each write also triggers one)'),
  OUTBOX_BATCH_SIZE: Joi.number()
    .integer()
    .min(1)
    .max(1000)
    .default(100)
    .description('posts with pending events handled per relay pass'),
  EVENTS_PUBLISH_TIMEOUT_MS: Joi.number()
    .integer()
    .min(100)
    .default(5000)
    .description('a publish without a broker confirm fails after this'),
});

export type PostConfig = BaseConfig &
  MongoConfig &
  RedisConfig &
  RabbitConfig &
  JwtConfig & {
    PORT: number;
    CACHE_ENABLED: boolean;
    POST_CACHE_TTL_SECONDS: number;
    POST_LIST_CACHE_TTL_SECONDS: number;
    OUTBOX_INTERVAL_MS: number;
    OUTBOX_BATCH_SIZE: number;
    EVENTS_PUBLISH_TIMEOUT_MS: number;
  };

export const loadPostConfig = (env?: NodeJS.ProcessEnv): PostConfig =>
  loadConfig<PostConfig>(postConfigSchema, { serviceDir: path.resolve(__dirname, '..'), env });
