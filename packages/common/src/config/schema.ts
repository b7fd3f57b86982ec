import Joi from 'joi';

/**
 * Key sets a service composes into its own schema: `Joi.object({ ...baseConfigKeys, ...mongoConfigKeys, PORT })`.
 * Each variable has a default or is required, and a description that `.env.example` mirrors.
 */
export const baseConfigKeys = {
  NODE_ENV: Joi.string().valid('development', 'production', 'test').default('development'),
  LOG_LEVEL: Joi.string()
    .valid('error', 'warn', 'info', 'debug')
    .default('info')
    .description('winston level; debug stays off in production'),
  SHUTDOWN_TIMEOUT_MS: Joi.number().integer().min(100).default(10_000).description('hard exit after this'),
  JSON_BODY_LIMIT: Joi.string().default('100kb').description('largest JSON request body accepted'),
};
export interface BaseConfig {
  NODE_ENV: 'development' | 'production' | 'test';
  LOG_LEVEL: 'error' | 'warn' | 'info' | 'debug';
  SHUTDOWN_TIMEOUT_MS: number;
  JSON_BODY_LIMIT: string;
}

export const mongoConfigKeys = {
  MONGO_URI: Joi.string()
    .uri({ scheme: ['mongodb', 'mongodb+srv'] })
    .required()
    .description('this service’s own database'),
};
export interface MongoConfig {
  MONGO_URI: string;
}

export const redisConfigKeys = {
  REDIS_URL: Joi.string()
    .uri({ scheme: ['redis', 'rediss'] })
    .default('redis://127.0.0.1:6379'),
  REDIS_KEY_PREFIX: Joi.string().allow('').default('').description('namespace for every key of this service'),
};
export interface RedisConfig {
  REDIS_URL: string;
  REDIS_KEY_PREFIX: string;
}

export const rabbitConfigKeys = {
  RABBITMQ_URL: Joi.string()
    .uri({ scheme: ['amqp', 'amqps'] })
    .default('amqp://guest:guest@127.0.0.1:5672'),
  EVENTS_EXCHANGE: Joi.string().default('facebook_events'),
  EVENTS_MAX_ATTEMPTS: Joi.number()
    .integer()
    .min(1)
    .max(20)
    .default(5)
    .description('handler tries before the DLQ'),
  EVENTS_RETRY_BACKOFF_MS: Joi.string()
    .pattern(/^\d+(,\d+)*$/)
    .default([1000, 5000, 15000, 30000])
    .custom((value: string) => value.split(',').map(Number))
    .description('delay before each retry, comma separated; the last repeats'),
};
export interface RabbitConfig {
  RABBITMQ_URL: string;
  EVENTS_EXCHANGE: string;
  EVENTS_MAX_ATTEMPTS: number;
  EVENTS_RETRY_BACKOFF_MS: number[];
}

export const jwtConfigKeys = {
  JWT_SECRET: Joi.string()
    .min(32)
    .required()
    .description('HS256 key shared by identity (signs) and verifiers'),
  JWT_ISSUER: Joi.string().default('social-identity'),
  JWT_AUDIENCE: Joi.string().default('social-api'),
  JWT_ACCESS_TTL_SECONDS: Joi.number().integer().min(30).max(86_400).default(900),
};
export interface JwtConfig {
  JWT_SECRET: string;
  JWT_ISSUER: string;
  JWT_AUDIENCE: string;
  JWT_ACCESS_TTL_SECONDS: number;
}
