export { loadConfig, ConfigError, type LoadConfigOptions } from './load-config';
export {
  baseConfigKeys,
  listenConfigKeys,
  METRICS_PORT_OFFSET,
  mongoConfigKeys,
  redisConfigKeys,
  rabbitConfigKeys,
  jwtConfigKeys,
  mediaServiceConfigKeys,
  outboxConfigKeys,
  type BaseConfig,
  type ListenConfig,
  type MongoConfig,
  type RedisConfig,
  type RabbitConfig,
  type JwtConfig,
  type MediaServiceConfig,
  type OutboxConfig,
} from './schema';
export { PUBLISHED_SECRETS } from './published-secrets';
export { commaList } from './comma-list';
export { trustProxyConfigKeys, trustProxyKey, type TrustProxy, type TrustProxyConfig } from './trust-proxy';
