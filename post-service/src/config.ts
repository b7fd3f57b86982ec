import path from 'node:path';
import Joi from 'joi';
import {
  baseConfigKeys,
  listenConfigKeys,
  jwtConfigKeys,
  mediaServiceConfigKeys,
  outboxConfigKeys,
  loadConfig,
  mongoConfigKeys,
  rabbitConfigKeys,
  redisConfigKeys,
  type BaseConfig,
  type ListenConfig,
  type JwtConfig,
  type MediaServiceConfig,
  type OutboxConfig,
  type MongoConfig,
  type RabbitConfig,
  type RedisConfig,
} from '@social/common/config';

export const postConfigSchema = Joi.object<PostConfig, true>({
  ...baseConfigKeys,
  ...mongoConfigKeys,
  ...redisConfigKeys,
  ...rabbitConfigKeys,
  ...jwtConfigKeys,
  ...listenConfigKeys(3002),
  CACHE_ENABLED: Joi.boolean().default(true).description('read-through Redis cache for posts and list pages'),
  POST_CACHE_TTL_SECONDS: Joi.number().integer().min(1).default(3600).description('lifetime of post:<id>'),
  POST_LIST_CACHE_TTL_SECONDS: Joi.number()
    .integer()
    .min(1)
    .default(300)
    .description('lifetime of a cached list page'),
  ...outboxConfigKeys,
  ...mediaServiceConfigKeys,
});

export type PostConfig = BaseConfig &
  ListenConfig &
  MongoConfig &
  RedisConfig &
  RabbitConfig &
  JwtConfig &
  MediaServiceConfig &
  OutboxConfig & {
    CACHE_ENABLED: boolean;
    POST_CACHE_TTL_SECONDS: number;
    POST_LIST_CACHE_TTL_SECONDS: number;
  };

export const loadPostConfig = (env?: NodeJS.ProcessEnv): PostConfig =>
  loadConfig(postConfigSchema, { serviceDir: path.resolve(__dirname, '..'), env });
