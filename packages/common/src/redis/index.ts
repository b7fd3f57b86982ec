import { Redis } from 'ioredis';
import type { Logger } from '../logger';

export { Redis };
export { isNoScript, redisScript, type RedisScript } from './script';

export interface RedisOptions {
  url: string;
  keyPrefix?: string;
  log: Logger;
  /** Name shown in logs and `CLIENT LIST`. */
  name?: string;
  /**
   * Send the commands of one event-loop turn as one pipeline (one write, one read): for a client that issues a
   * command per request under concurrency, like post-service's cache reads.
   */
  autoPipelining?: boolean;
}

/**
 * A client that fails fast while Redis is away (no offline queue, one retry per command) instead of
 * queueing requests for seconds, and reconnects with capped backoff. Callers decide how to degrade.
 */
export function createRedis(options: RedisOptions): Redis {
  const redis = new Redis(options.url, {
    keyPrefix: options.keyPrefix || undefined,
    connectionName: options.name,
    enableAutoPipelining: options.autoPipelining ?? false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    commandTimeout: 1_000,
    // disconnect() between reconnect attempts (Redis down at shutdown) arms a timer to destroy a socket that is
    // already closed; with the 2 s default that timer alone kept a finished process alive.
    disconnectTimeout: 100,
    retryStrategy: (attempt) => Math.min(attempt * 200, 3_000),
  });
  let healthy = true;
  redis.on('ready', () => {
    if (!healthy) options.log.info('redis connection restored');
    healthy = true;
  });
  redis.on('error', (err: Error) => {
    // ioredis emits an error per reconnect attempt; one warning per outage is enough.
    if (healthy) options.log.warn('redis unavailable', { err });
    healthy = false;
  });
  return redis;
}

/** The client rejects commands until connected (no offline queue): wait for that instead of racing it. */
export function redisReady(redis: Redis): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => redis.once('ready', () => resolve()));
}

export async function pingRedis(redis: Redis): Promise<void> {
  await redis.ping();
}

/** Closes the client, falling back to a hard disconnect when Redis is not answering. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  // QUIT on a client that is not connected waits for a command timeout; there is nothing to flush anyway.
  if (redis.status !== 'ready') {
    redis.disconnect();
    return;
  }
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}
