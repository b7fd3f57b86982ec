import type { Registry } from 'prom-client';
import type { Logger } from 'winston';
import type { RabbitConfig } from '../config';
import { runWithContext } from '../logger';
import { ConnectionManager, type ReconnectOptions } from './connection';
import { Consumer, type RetryOptions, type RunInContext } from './consumer';
import { EVENTS_EXCHANGE } from './event-types';
import { EventBusClosedError } from './errors';
import { subscribedTypes, type Subscription } from './handlers';
import type { OutgoingEvent } from './integration-event';
import { createEventMetrics } from './metrics';
import { Publisher } from './publisher';

export interface EventBusOptions {
  url: string;
  /** Sent as the AMQP appId and connection name: the service name. */
  appId: string;
  log: Logger;
  /** Default EVENTS_EXCHANGE; tests pass a unique name. */
  exchange?: string;
  /** Registers events_published_total, events_publish_failed_total and events_consumed_total. */
  registry?: Registry;
  /** Default 5 attempts with backoff 1 s, 5 s, 15 s, 30 s; the last delay repeats if attempts outnumber it. */
  retry?: RetryOptions;
  /** Default 500 ms doubling up to 30 s. */
  reconnect?: ReconnectOptions;
  /** publish() rejects after this long without a broker confirm (default 5000). */
  publishTimeoutMs?: number;
  /** How long close() waits for running handlers (default 5000). */
  drainTimeoutMs?: number;
  /** Wraps each handler call; default: the logger's request context with requestId = correlationId. */
  runInContext?: RunInContext;
}

export interface EventBus {
  /** Starts the connection loop and resolves once connected the first time (rejects only if closed first). */
  connect(): Promise<void>;
  /** Starts the connection loop in the background; never throws, keeps retrying while the broker is down. */
  start(): void;
  /**
   * Resolves once the broker confirmed; rejects promptly when disconnected, blocked or nacked, when the connection
   * drops before the confirm, or after publishTimeoutMs.
   */
  publish(event: OutgoingEvent): Promise<void>;
  /**
   * Declares the queue, `<queue>.dlq`, the retry queues and one binding per handler, then consumes; resumes
   * after every reconnect. Resolves at once while disconnected. If setup fails on the live connection it
   * rejects, and the subscription stays registered for the next connection.
   */
  subscribe(sub: Subscription): Promise<void>;
  isConnected(): boolean;
  /** Stops consuming, waits for running handlers (bounded), closes channels and the connection. */
  close(): Promise<void>;
}

export const DEFAULT_RETRY: RetryOptions = { maxAttempts: 5, backoffMs: [1000, 5000, 15000, 30000] };
export const DEFAULT_RECONNECT: ReconnectOptions = { initialDelayMs: 500, maxDelayMs: 30_000 };

// Handlers run in the logger's request context by default, so their logs carry requestId = correlationId.
const runInLogContext: RunInContext = (ctx, fn) => runWithContext({ requestId: ctx.requestId }, fn);

/** The bus settings that come from configuration; services add appId, log and registry. */
export function eventBusSettings(config: RabbitConfig): Pick<EventBusOptions, 'url' | 'exchange' | 'retry'> {
  return {
    url: config.RABBITMQ_URL,
    exchange: config.EVENTS_EXCHANGE,
    retry: { maxAttempts: config.EVENTS_MAX_ATTEMPTS, backoffMs: config.EVENTS_RETRY_BACKOFF_MS },
  };
}

function checkRetry(retry: RetryOptions): RetryOptions {
  if (!Number.isInteger(retry.maxAttempts) || retry.maxAttempts < 1) {
    throw new RangeError('retry.maxAttempts must be an integer >= 1');
  }
  if (retry.maxAttempts > 1 && retry.backoffMs.length === 0) {
    throw new RangeError('retry.backoffMs needs at least one delay when maxAttempts > 1');
  }
  if (retry.backoffMs.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new RangeError('retry.backoffMs must hold non-negative integers');
  }
  return retry;
}

/** A readiness check, like pingRedis and pingMongo: rejects while the bus has no broker connection. */
export async function pingEventBus(bus: Pick<EventBus, 'isConnected'>): Promise<void> {
  if (!bus.isConnected()) throw new Error('event bus not connected to the broker');
}

export function createEventBus(opts: EventBusOptions): EventBus {
  const exchange = opts.exchange ?? EVENTS_EXCHANGE;
  const retry = checkRetry(opts.retry ?? DEFAULT_RETRY);
  const drainTimeoutMs = opts.drainTimeoutMs ?? 5000;
  const metrics = createEventMetrics(opts.registry);
  const log = opts.log;
  const consumers: Consumer[] = [];
  let closing: Promise<void> | undefined;

  const recycle = (reason: string): void => manager.recycle(reason);

  const publisher = new Publisher({
    exchange,
    appId: opts.appId,
    log,
    metrics,
    publishTimeoutMs: opts.publishTimeoutMs ?? 5000,
    canPublish: () => {
      if (closing) return 'event bus is closed';
      if (!manager.isConnected()) return 'event bus is not connected';
      if (manager.isBlocked()) return 'broker is blocking publishes (resource alarm)';
      return undefined;
    },
    onChannelLost: recycle,
  });

  const manager: ConnectionManager = new ConnectionManager({
    url: opts.url,
    appId: opts.appId,
    log,
    reconnect: opts.reconnect ?? DEFAULT_RECONNECT,
    onConnected: async (conn) => {
      await publisher.attach(conn);
      // Index loop: a subscribe() arriving during setup appends and is picked up here too.
      for (let i = 0; i < consumers.length; i++) await consumers[i]?.attach(conn);
    },
    onDisconnected: () => {
      publisher.detach();
      for (const c of consumers) c.detach();
    },
  });

  return {
    connect: () => {
      manager.start();
      return manager.waitUntilConnected();
    },
    start: () => manager.start(),
    publish: (event) => publisher.publish(event),
    subscribe: async (sub) => {
      if (closing) throw new EventBusClosedError();
      if (!sub.queue) throw new TypeError('subscription queue name is required');
      if (subscribedTypes(sub.handlers).length === 0) {
        throw new TypeError(`no handlers for queue ${sub.queue}`);
      }
      if (consumers.some((c) => c.sub.queue === sub.queue)) {
        throw new Error(`queue ${sub.queue} already has a subscription on this bus`);
      }
      const consumer = new Consumer(sub, {
        exchange,
        log,
        metrics,
        retry,
        runInContext: opts.runInContext ?? runInLogContext,
        onChannelLost: recycle,
      });
      consumers.push(consumer);
      const conn = manager.current();
      if (!conn) return;
      try {
        await consumer.attach(conn);
      } catch (err) {
        log.error('event consumer setup failed, retrying after reconnect', {
          queue: sub.queue,
          err,
        });
        recycle(`consumer setup of ${sub.queue} failed`);
        throw err;
      }
    },
    isConnected: () => manager.isConnected() && publisher.isReady() && !closing,
    close: () => {
      closing ??= (async () => {
        manager.stop();
        await Promise.all(consumers.map((c) => c.stop(drainTimeoutMs)));
        await publisher.close();
        await manager.close();
        log.info('event bus closed');
      })();
      return closing;
    },
  };
}
