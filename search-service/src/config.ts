import path from 'node:path';
import Joi from 'joi';
import {
  baseConfigKeys,
  listenConfigKeys,
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

export const SEARCH_EVENTS_QUEUE = 'search-service.post-events';

export const searchConfigSchema = Joi.object<SearchConfig, true>({
  ...baseConfigKeys,
  ...mongoConfigKeys,
  ...rabbitConfigKeys,
  ...jwtConfigKeys,
  ...listenConfigKeys(3004),
  SEARCH_EVENTS_QUEUE: Joi.string()
    .min(1)
    .default(SEARCH_EVENTS_QUEUE)
    .description('durable queue bound to post.created and post.deleted; dead letters go to <queue>.dlq'),
  SEARCH_EVENTS_PREFETCH: Joi.number()
    .integer()
    .min(1)
    .max(500)
    .default(10)
    .description('post events handled concurrently (unacked in flight)'),
  SEARCH_TOMBSTONE_TTL_SECONDS: Joi.number()
    .integer()
    .min(60)
    .default(86_400)
    .description('how long a deleted post is remembered so a late post.created cannot bring it back'),
});

export type SearchConfig = BaseConfig &
  ListenConfig &
  MongoConfig &
  RabbitConfig &
  JwtConfig & {
    SEARCH_EVENTS_QUEUE: string;
    SEARCH_EVENTS_PREFETCH: number;
    SEARCH_TOMBSTONE_TTL_SECONDS: number;
  };

export const loadSearchConfig = (env?: NodeJS.ProcessEnv): SearchConfig =>
  loadConfig(searchConfigSchema, { serviceDir: path.resolve(__dirname, '..'), env });
