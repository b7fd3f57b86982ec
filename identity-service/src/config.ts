import path from 'node:path';
import Joi from 'joi';
import {
  baseConfigKeys,
  listenConfigKeys,
  jwtConfigKeys,
  loadConfig,
  mediaServiceConfigKeys,
  outboxConfigKeys,
  mongoConfigKeys,
  rabbitConfigKeys,
  redisConfigKeys,
  trustProxyConfigKeys,
  type BaseConfig,
  type ListenConfig,
  type JwtConfig,
  type MediaServiceConfig,
  type OutboxConfig,
  type MongoConfig,
  type RabbitConfig,
  type RedisConfig,
  type TrustProxyConfig,
} from '@social/common/config';

export const identityConfigSchema = Joi.object<IdentityConfig, true>({
  IDENTITY_EVENTS_QUEUE: Joi.string()
    .default('identity-service.user-deleted')
    .description('durable queue of the user.deleted consumer (finishes an account cleanup)'),
  ...baseConfigKeys,
  ...mongoConfigKeys,
  ...redisConfigKeys,
  ...rabbitConfigKeys,
  ...jwtConfigKeys,
  ...mediaServiceConfigKeys,
  ...outboxConfigKeys,
  ...trustProxyConfigKeys,
  ...listenConfigKeys(3001),
  ARGON2_MEMORY_KIB: Joi.number()
    .integer()
    .min(1024)
    .max(1_048_576)
    .default(19_456)
    .description('argon2id memory cost in KiB (OWASP: 19456); lower only in tests'),
  ARGON2_TIME_COST: Joi.number()
    .integer()
    .min(1)
    .max(10)
    .default(2)
    .description('argon2id iterations (OWASP: 2)'),
  ARGON2_PARALLELISM: Joi.number()
    .integer()
    .min(1)
    .max(16)
    .default(1)
    .description('argon2id lanes (OWASP: 1)'),
  REFRESH_TOKEN_TTL_SECONDS: Joi.number()
    .integer()
    .min(60)
    .default(7 * 24 * 3600)
    .description('lifetime of each refresh token; a rotation issues a fresh one'),
  AUTH_RATE_LIMIT_WINDOW_MS: Joi.number()
    .integer()
    .min(1000)
    .default(900_000)
    .description('login/register limiter window, per client IP + email'),
  AUTH_RATE_LIMIT_MAX: Joi.number()
    .integer()
    .min(1)
    .default(10)
    .description('login/register attempts per client IP + email in one window'),
  // ~40 ms of argon2 CPU each: 100 a minute is at most 4 s of CPU a minute (~7% of a core) per address, so
  // a flood needs dozens of addresses to saturate a replica, while an office behind one NAT still signs in
  // dozens of people a minute.
  AUTH_IP_RATE_LIMIT_WINDOW_MS: Joi.number()
    .integer()
    .min(1000)
    .default(60_000)
    .description('window of the per-IP argon2 budget (login + register)'),
  AUTH_IP_RATE_LIMIT_MAX: Joi.number()
    .integer()
    .min(1)
    .default(100)
    .description('login/register requests that reach argon2 per client IP in one window'),
});

export type IdentityConfig = BaseConfig &
  ListenConfig &
  MongoConfig &
  RedisConfig &
  RabbitConfig &
  JwtConfig &
  MediaServiceConfig &
  OutboxConfig &
  TrustProxyConfig & {
    IDENTITY_EVENTS_QUEUE: string;
    ARGON2_MEMORY_KIB: number;
    ARGON2_TIME_COST: number;
    ARGON2_PARALLELISM: number;
    REFRESH_TOKEN_TTL_SECONDS: number;
    AUTH_RATE_LIMIT_WINDOW_MS: number;
    AUTH_RATE_LIMIT_MAX: number;
    AUTH_IP_RATE_LIMIT_WINDOW_MS: number;
    AUTH_IP_RATE_LIMIT_MAX: number;
  };

export const loadIdentityConfig = (): IdentityConfig =>
  loadConfig(identityConfigSchema, { serviceDir: path.resolve(__dirname, '..') });
