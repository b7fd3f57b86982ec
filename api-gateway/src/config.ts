import path from 'node:path';
import Joi from 'joi';
import {
  baseConfigKeys,
  jwtConfigKeys,
  loadConfig,
  redisConfigKeys,
  type BaseConfig,
  type JwtConfig,
  type RedisConfig,
} from '@social/common/config';

const serviceDir = path.resolve(__dirname, '..');

const upstreamUrl = (port: number): Joi.StringSchema =>
  Joi.string()
    .uri({ scheme: ['http', 'https'] })
    .default(`http://127.0.0.1:${port}`);

/** `true`/`false`, a hop count, or Express's list of trusted addresses/subnets ("loopback, 10.0.0.0/8"). */
const trustProxy = Joi.string()
  .trim()
  // joi applies a default without running rules: give the parsed value.
  .default(false)
  .custom((value: string): boolean | number | string => {
    if (value === 'true') return true;
    if (value === 'false') return false;
    if (/^\d+$/.test(value)) return Number(value);
    return value;
  });

const originList = Joi.string()
  .allow('')
  .default([])
  .custom((value: string): string[] =>
    value
      .split(',')
      .map((origin) => origin.trim())
      .filter((origin) => origin !== ''),
  );

export const gatewayConfigSchema = Joi.object({
  ...baseConfigKeys,
  ...redisConfigKeys,
  ...jwtConfigKeys,
  // The gateway parses JSON only for the login/register rate-limit key; everything else streams through.
  JSON_BODY_LIMIT: Joi.string()
    .default('16kb')
    .description('largest login/register JSON body the gateway parses'),
  PORT: Joi.number().port().default(3000),
  IDENTITY_SERVICE_URL: upstreamUrl(3001).description('identity-service base URL (/v1/auth)'),
  POST_SERVICE_URL: upstreamUrl(3002).description('post-service base URL (/v1/posts)'),
  MEDIA_SERVICE_URL: upstreamUrl(3003).description('media-service base URL (/v1/media)'),
  SEARCH_SERVICE_URL: upstreamUrl(3004).description('search-service base URL (/v1/search)'),
  PROXY_TIMEOUT_MS: Joi.number()
    .integer()
    .min(10)
    .default(10_000)
    .description('an upstream silent for this long gets a 504'),
  CORS_ORIGINS: originList.description('comma-separated browser origins allowed by CORS; none by default'),
  TRUST_PROXY: trustProxy.description('Express trust proxy: false, true, a hop count or trusted subnets'),
  RATE_LIMIT_WINDOW_MS: Joi.number()
    .integer()
    .min(1)
    .default(60_000)
    .description('per-IP and per-user window'),
  RATE_LIMIT_IP_MAX: Joi.number().integer().min(1).default(600).description('requests per IP per window'),
  RATE_LIMIT_USER_MAX: Joi.number()
    .integer()
    .min(1)
    .default(300)
    .description('authenticated requests per user per window'),
  AUTH_RATE_LIMIT_WINDOW_MS: Joi.number()
    .integer()
    .min(1)
    .default(900_000)
    .description('login/register window'),
  AUTH_RATE_LIMIT_MAX: Joi.number()
    .integer()
    .min(1)
    .default(10)
    .description('login/register attempts per IP + email per window'),
  OPENAPI_PATH: Joi.string()
    .default(path.resolve(serviceDir, '..', 'docs', 'openapi.yaml'))
    .description('the OpenAPI document served at /docs/openapi.yaml'),
});

export type GatewayConfig = BaseConfig &
  RedisConfig &
  JwtConfig & {
    PORT: number;
    IDENTITY_SERVICE_URL: string;
    POST_SERVICE_URL: string;
    MEDIA_SERVICE_URL: string;
    SEARCH_SERVICE_URL: string;
    PROXY_TIMEOUT_MS: number;
    CORS_ORIGINS: string[];
    TRUST_PROXY: boolean | number | string;
    RATE_LIMIT_WINDOW_MS: number;
    RATE_LIMIT_IP_MAX: number;
    RATE_LIMIT_USER_MAX: number;
    AUTH_RATE_LIMIT_WINDOW_MS: number;
    AUTH_RATE_LIMIT_MAX: number;
    OPENAPI_PATH: string;
  };

/** Reads the environment (or `env`, for tests) once; every problem is reported together. */
export const loadGatewayConfig = (env?: NodeJS.ProcessEnv): GatewayConfig =>
  loadConfig<GatewayConfig>(gatewayConfigSchema, { serviceDir, env });
