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
  AUTHOR_CACHE_TTL_MS: Joi.number()
    .integer()
    .min(0)
    .max(60_000)
    .default(5_000)
    .description(
      "how long a replica remembers an author's name for its answers; another replica's profile update shows within it (0: off)",
    ),
  FEED_MAX_ENTRIES: Joi.number()
    .integer()
    .min(20)
    .max(10_000)
    .default(800)
    .description('cap of one home feed in Redis; older pages are read from MongoDB'),
  FEED_TTL_SECONDS: Joi.number()
    .integer()
    .min(60)
    .default(259_200)
    .description(
      'a home feed nobody read for this long leaves Redis (rebuilt from MongoDB on the next read)',
    ),
  FEED_FANOUT_READ_THRESHOLD: Joi.number()
    .integer()
    .min(1)
    .default(10_000)
    .description('authors with at least this many followers are merged at read time instead of fanned out'),
  FEED_MAX_FOLLOWING: Joi.number()
    .integer()
    .min(1)
    .default(5_000)
    .description('followees a home feed reads from (the newest edges); bounds every feed query'),
  POST_FEED_FANOUT_QUEUE: Joi.string()
    .default('post-service.feed-fanout')
    .description('durable queue of the post.created consumer that fans posts out to home feeds'),
  POST_USER_EVENTS_QUEUE: Joi.string()
    .default('post-service.user-projection')
    .description('durable queue of the author and follow-graph projections (user.* except user.deleted)'),
  POST_USER_DELETED_QUEUE: Joi.string()
    .default('post-service.user-deleted')
    .description("durable queue of the user.deleted consumer (a deleted account's posts, edges and feed)"),
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
    AUTHOR_CACHE_TTL_MS: number;
    FEED_MAX_ENTRIES: number;
    FEED_TTL_SECONDS: number;
    FEED_FANOUT_READ_THRESHOLD: number;
    FEED_MAX_FOLLOWING: number;
    POST_FEED_FANOUT_QUEUE: string;
    POST_USER_EVENTS_QUEUE: string;
    POST_USER_DELETED_QUEUE: string;
  };

export const loadPostConfig = (env?: NodeJS.ProcessEnv): PostConfig =>
  loadConfig(postConfigSchema, { serviceDir: path.resolve(__dirname, '..'), env });
