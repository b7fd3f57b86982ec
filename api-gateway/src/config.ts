import path from 'node:path';
import Joi from 'joi';
import {
  baseConfigKeys,
  commaList,
  listenConfigKeys,
  jwtConfigKeys,
  loadConfig,
  redisConfigKeys,
  trustProxyKey,
  type BaseConfig,
  type ListenConfig,
  type JwtConfig,
  type RedisConfig,
  type TrustProxy,
} from '@social/common/config';

const serviceDir = path.resolve(__dirname, '..');

const upstreamUrl = (port: number): Joi.StringSchema =>
  Joi.string()
    .uri({ scheme: ['http', 'https'] })
    .default(`http://127.0.0.1:${port}`);

// The gateway reads no request body (it streams them all), so the common JSON_BODY_LIMIT has no meaning here.
const { JSON_BODY_LIMIT: _noBodyParsed, ...gatewayBaseKeys } = baseConfigKeys;

const originList = commaList(Joi.string().uri({ scheme: ['http', 'https'] })).default([]);

export const gatewayConfigSchema = Joi.object<GatewayConfig, true>({
  ...gatewayBaseKeys,
  ...redisConfigKeys,
  ...jwtConfigKeys,
  ...listenConfigKeys(3000),
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
  // The edge: nothing in front of it is trusted unless a load balancer is configured here.
  TRUST_PROXY: trustProxyKey(false).description(
    'who may set X-Forwarded-For in front of the gateway: false, true, a hop count, or trusted addresses/subnets',
  ),
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
  OPENAPI_PATH: Joi.string()
    .default(path.resolve(serviceDir, '..', 'docs', 'openapi.yaml'))
    .description('the OpenAPI document served at /docs/openapi.yaml'),
});

export type GatewayConfig = Omit<BaseConfig, 'JSON_BODY_LIMIT'> &
  ListenConfig &
  RedisConfig &
  JwtConfig & {
    IDENTITY_SERVICE_URL: string;
    POST_SERVICE_URL: string;
    MEDIA_SERVICE_URL: string;
    SEARCH_SERVICE_URL: string;
    PROXY_TIMEOUT_MS: number;
    CORS_ORIGINS: string[];
    TRUST_PROXY: TrustProxy;
    RATE_LIMIT_WINDOW_MS: number;
    RATE_LIMIT_IP_MAX: number;
    RATE_LIMIT_USER_MAX: number;
    OPENAPI_PATH: string;
  };

/** Reads the environment (or `env`, for tests) once; every problem is reported together. */
export const loadGatewayConfig = (env?: NodeJS.ProcessEnv): GatewayConfig =>
  loadConfig(gatewayConfigSchema, { serviceDir, env });
