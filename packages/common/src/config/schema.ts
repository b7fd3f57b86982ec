import Joi from 'joi';
import { commaList } from './comma-list';
import { PUBLISHED_SECRETS } from './published-secrets';

const inProduction = { is: 'production' } as const;
const published = new Set(PUBLISHED_SECRETS);
const isLoopback = (host: string): boolean =>
  host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
const publishedMessage =
  '{#label} is a value published in this repository: set your own secret in production';

/**
 * Key sets a service composes into its own schema, typed by the config it describes:
 * `Joi.object<PostConfig, true>({ ...baseConfigKeys, ...mongoConfigKeys, ... })`. The `true` makes joi's types
 * demand exactly one schema of the right kind per field of the type, so a variable added to, dropped from or
 * retyped in only one of them fails the build. Each variable has a default or is required, and a description
 * that `.env.example` mirrors.
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
/** Offset of the internal port from the public one: five services on one host (`npm run dev`) never collide. */
export const METRICS_PORT_OFFSET = 6000;

/** `PORT` (the public API) and `METRICS_PORT` (/metrics and /ready details, internal), in this order. */
export const listenConfigKeys = (defaultPort: number) => ({
  PORT: Joi.number().port().default(defaultPort),
  METRICS_PORT: Joi.number()
    .port()
    .default(Joi.ref('PORT', { adjust: (port: number) => (port === 0 ? 0 : port + METRICS_PORT_OFFSET) }))
    .description(
      `/metrics and /ready details, never on the public port (default PORT + ${METRICS_PORT_OFFSET})`,
    ),
});
export interface ListenConfig {
  PORT: number;
  METRICS_PORT: number;
}

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
    .default('amqp://guest:guest@127.0.0.1:5672')
    .when('NODE_ENV', {
      ...inProduction,
      // A published password (or guest, amqplib's default without credentials) on a broker others can reach
      // is no password. On loopback RabbitMQ itself admits guest only from the same host, so it may stay.
      then: Joi.required()
        .custom((raw: string, helpers) => {
          const url = new URL(raw);
          const password = decodeURIComponent(url.password);
          const weak = password === '' || published.has(password);
          return weak && !isLoopback(url.hostname) ? helpers.error('any.invalid') : raw;
        })
        .messages({
          'any.invalid':
            '{#label} has no password, guest, or a password published in this repository, for a broker on the network',
        }),
    })
    .description(
      'broker URL with credentials; in production its password must be your own (unless on loopback)',
    ),
  EVENTS_EXCHANGE: Joi.string().default('facebook_events'),
  EVENTS_MAX_ATTEMPTS: Joi.number()
    .integer()
    .min(1)
    .max(20)
    .default(5)
    .description('handler tries before the DLQ'),
  EVENTS_RETRY_BACKOFF_MS: commaList(Joi.number().integer().min(0).max(3_600_000))
    .min(1)
    .default([1000, 5000, 15000, 30000])
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
    .when('NODE_ENV', {
      ...inProduction,
      then: Joi.invalid(...published).messages({ 'any.invalid': publishedMessage }),
    })
    .description('HS256 key shared by identity (signs) and verifiers; or JWT_SECRET_FILE'),
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

/** Where services that check a caller's media (post attachments, avatars) find media-service. */
export const mediaServiceConfigKeys = {
  MEDIA_SERVICE_URL: Joi.string()
    .uri({ scheme: ['http', 'https'] })
    .default('http://127.0.0.1:3003')
    .description('media-service base URL: media a request names is looked up there, as the caller'),
  MEDIA_SERVICE_TIMEOUT_MS: Joi.number()
    .integer()
    .min(100)
    .max(60_000)
    .default(3000)
    .description('a media lookup without an answer within this long fails the request with 503'),
};
export interface MediaServiceConfig {
  MEDIA_SERVICE_URL: string;
  MEDIA_SERVICE_TIMEOUT_MS: number;
}

/** The transactional outbox's relay (every service that publishes events). */
export const outboxConfigKeys = {
  OUTBOX_INTERVAL_MS: Joi.number()
    .integer()
    .min(50)
    .default(1000)
    .description('outbox relay pass when idle (each write also publishes its document, or triggers a pass)'),
  OUTBOX_BATCH_SIZE: Joi.number()
    .integer()
    .min(1)
    .max(1000)
    .default(100)
    .description('documents with pending events handled per relay pass, and at most in hand from kicks'),
  OUTBOX_CLAIM_TTL_MS: Joi.number()
    .integer()
    .greater(Joi.ref('EVENTS_PUBLISH_TIMEOUT_MS', { adjust: (ms: number) => 2 * ms }))
    .default(15_000)
    .description(
      'lease of one replica on a document while it publishes its events; > 2 × EVENTS_PUBLISH_TIMEOUT_MS',
    ),
  EVENTS_PUBLISH_TIMEOUT_MS: Joi.number()
    .integer()
    .min(100)
    .default(5000)
    .description('a publish without a broker confirm fails after this'),
};
export interface OutboxConfig {
  OUTBOX_INTERVAL_MS: number;
  OUTBOX_BATCH_SIZE: number;
  OUTBOX_CLAIM_TTL_MS: number;
  EVENTS_PUBLISH_TIMEOUT_MS: number;
}
