import path from 'node:path';
import Joi from 'joi';
import {
  baseConfigKeys,
  jwtConfigKeys,
  loadConfig,
  mongoConfigKeys,
  redisConfigKeys,
  type BaseConfig,
  type JwtConfig,
  type MongoConfig,
  type RedisConfig,
} from '@social/common/config';

export const identityConfigSchema = Joi.object({
  ...baseConfigKeys,
  ...mongoConfigKeys,
  ...redisConfigKeys,
  ...jwtConfigKeys,
  PORT: Joi.number().port().default(3001),
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
  LOGIN_RATE_LIMIT_WINDOW_MS: Joi.number()
    .integer()
    .min(1000)
    .default(900_000)
    .description('login limiter window, per email + client IP'),
  LOGIN_RATE_LIMIT_MAX: Joi.number()
    .integer()
    .min(1)
    .default(10)
    .description('login attempts allowed per email + client IP in one window'),
});

export type IdentityConfig = BaseConfig &
  MongoConfig &
  RedisConfig &
  JwtConfig & {
    PORT: number;
    ARGON2_MEMORY_KIB: number;
    ARGON2_TIME_COST: number;
    ARGON2_PARALLELISM: number;
    REFRESH_TOKEN_TTL_SECONDS: number;
    LOGIN_RATE_LIMIT_WINDOW_MS: number;
    LOGIN_RATE_LIMIT_MAX: number;
  };

export const loadIdentityConfig = (): IdentityConfig =>
  loadConfig<IdentityConfig>(identityConfigSchema, { serviceDir: path.resolve(__dirname, '..') });
