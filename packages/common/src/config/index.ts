export { loadConfig, ConfigError, type LoadConfigOptions } from './load-config';
export {
  baseConfigKeys,
  mongoConfigKeys,
  redisConfigKeys,
  rabbitConfigKeys,
  jwtConfigKeys,
  type BaseConfig,
  type MongoConfig,
  type RedisConfig,
  type RabbitConfig,
  type JwtConfig,
} from './schema';
