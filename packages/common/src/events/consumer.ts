import type { ChannelModel, ConfirmChannel, ConsumeMessage, Options } from 'amqplib';
import type { Logger } from 'winston';
import { EventBusClosedError } from './errors';
import { isEventType, type EventOf, type EventType } from './event-types';
import { handlerFor, subscribedTypes, type HandlerContext, type Subscription } from './handlers';
import type { EventMetrics } from './metrics';
import { parseIntegrationEvent } from './schemas';
import { assertConsumerTopology, retryQueueName } from './topology';

export const ATTEMPT_HEADER = 'x-attempt';
export const DEFAULT_PREFETCH = 10;

export interface RetryOptions {
  maxAttempts: number;
  backoffMs: number[];
}

export type RunInContext = (ctx: { requestId?: string }, fn: () => Promise<void>) => Promise<void>;

export interface ConsumerOptions {
  exchange: string;
  log: Logger;
  metrics: EventMetrics;
  retry: RetryOptions;
  runInContext: RunInContext;
  onChannelLost: (reason: string) => void;
}

const readAttempt = (headers: ConsumeMessage['properties']['headers']): number => {
  const value: unknown = headers?.[ATTEMPT_HEADER];
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 ? value : 1;
};

const optionalString = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : undefined;

/** One subscription: its own channel (so prefetch is per queue), topology, and message handling. */
export class Consumer {
  private ch: ConfirmChannel | undefined;
  private consumerTag: string | undefined;
  private attaching: { conn: ChannelModel; done: Promise<void> } | undefined;
  private stopping = false;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    readonly sub: Subscription,
    private readonly opts: ConsumerOptions,
  ) {}

  /** Idempotent per connection: the bus's setup pass and a concurrent subscribe() may both call it. */
  attach(conn: ChannelModel): Promise<void> {
    if (this.attaching?.conn !== conn) this.attaching = { conn, done: this.setup(conn) };
    return this.attaching.done;
  }

  detach(): void {
    this.ch = undefined;
    this.consumerTag = undefined;
    this.attaching = undefined;
  }

  /** Stop deliveries, let running handlers finish (bounded), then close the channel. */
  async stop(drainTimeoutMs: number): Promise<void> {
    this.stopping = true;
    const ch = this.ch;
    if (ch && this.consumerTag) await ch.cancel(this.consumerTag).catch(() => {});
    await this.drain(drainTimeoutMs);
    this.ch = undefined;
    // Unacked messages of handlers that outlived the drain go back to the queue when the channel closes.
    await ch?.close().catch(() => {});
  }

  private async drain(timeoutMs: number): Promise<void> {
    if (this.inFlight.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.opts.log.warn('event handlers still running at shutdown', {
          queue: this.sub.queue,
          count: this.inFlight.size,
        });
        resolve();
      }, timeoutMs);
    });
    await Promise.race([Promise.allSettled([...this.inFlight]), timeout]);
    clearTimeout(timer);
  }

  private async setup(conn: ChannelModel): Promise<void> {
    const { queue } = this.sub;
    const ch = await conn.createConfirmChannel();
    ch.on('error', (err: Error) => this.opts.log.warn('event consumer channel error', { queue, err }));
    ch.on('close', () => {
      if (this.ch !== ch || this.stopping) return;
      this.detach();
      this.opts.onChannelLost(`consumer channel of ${queue} closed`);
    });
    this.ch = ch;
    await ch.prefetch(this.sub.prefetch ?? DEFAULT_PREFETCH);
    await assertConsumerTopology(ch, {
      exchange: this.opts.exchange,
      queue,
      routingKeys: subscribedTypes(this.sub.handlers),
      retryDelaysMs: this.retryDelays(),
    });
    // close() may already have drained this consumer while a reconnect was setting it up.
    if (this.stopping) throw new EventBusClosedError();
    const { consumerTag } = await ch.consume(queue, (msg) => this.onDelivery(ch, msg), { noAck: false });
    this.consumerTag = consumerTag;
    this.opts.log.info('event consumer started', { queue, types: subscribedTypes(this.sub.handlers) });
  }

  private retryDelays(): number[] {
    const { maxAttempts } = this.opts.retry;
    return Array.from({ length: Math.max(0, maxAttempts - 1) }, (_, i) => this.delayFor(i + 1)).filter(
      (d, i, all) => all.indexOf(d) === i,
    );
  }

  private delayFor(failedAttempt: number): number {
    const { backoffMs } = this.opts.retry;
    return backoffMs[Math.min(failedAttempt - 1, backoffMs.length - 1)] ?? 0;
  }

  private onDelivery(ch: ConfirmChannel, msg: ConsumeMessage | null): void {
    if (msg === null) {
      // The broker cancelled us (queue deleted or failover): rebuild so the queue is declared again.
      this.opts.onChannelLost(`consumer of ${this.sub.queue} cancelled by broker`);
      return;
    }
    const task = this.handle(ch, msg)
      .catch((err: unknown) => {
        // Only channel failures land here; the message stays unacked and is redelivered after recovery.
        this.opts.log.warn('event could not be settled', { queue: this.sub.queue, err });
      })
      .finally(() => this.inFlight.delete(task));
    this.inFlight.add(task);
  }

  private async handle(ch: ConfirmChannel, msg: ConsumeMessage): Promise<void> {
    const { queue } = this.sub;
    const messageId = optionalString(msg.properties.messageId);
    const parsed = parseIntegrationEvent(msg.content);
    if (!parsed.ok) {
      const type: unknown = msg.properties.type;
      this.deadLetter(ch, msg, isEventType(type) ? type : 'unknown', parsed.reason, messageId);
      return;
    }
    const event = parsed.event;
    this.opts.metrics.delivered(queue, event.type, event.occurredAt);
    const handler = handlerFor(this.sub.handlers, event.type);
    if (!handler) {
      // A binding left over from an older version of this service.
      this.deadLetter(ch, msg, event.type, 'no handler for this event type', messageId);
      return;
    }
    const ctx: HandlerContext = {
      correlationId: optionalString(msg.properties.correlationId),
      messageId,
      attempt: readAttempt(msg.properties.headers),
    };
    try {
      await this.opts.runInContext({ requestId: ctx.correlationId }, () => invoke(handler, event, ctx));
    } catch (err) {
      await this.retryOrDeadLetter(ch, msg, event.type, ctx, err);
      return;
    }
    ch.ack(msg);
    this.opts.metrics.consumed(queue, event.type, 'ok');
    this.opts.log.debug('event handled', {
      queue,
      type: event.type,
      eventId: event.id,
      attempt: ctx.attempt,
    });
  }

  private async retryOrDeadLetter(
    ch: ConfirmChannel,
    msg: ConsumeMessage,
    type: EventType,
    ctx: HandlerContext,
    err: unknown,
  ): Promise<void> {
    const { queue } = this.sub;
    if (ctx.attempt >= this.opts.retry.maxAttempts) {
      this.opts.log.error('event handler failed on the last attempt, dead-lettered', {
        queue,
        type,
        messageId: ctx.messageId,
        attempt: ctx.attempt,
        err,
      });
      ch.nack(msg, false, false);
      this.opts.metrics.consumed(queue, type, 'dead');
      return;
    }
    const delayMs = this.delayFor(ctx.attempt);
    this.opts.log.warn('event handler failed, retrying later', {
      queue,
      type,
      messageId: ctx.messageId,
      attempt: ctx.attempt,
      delayMs,
      err,
    });
    try {
      await publishConfirmed(ch, retryQueueName(queue, delayMs), msg, ctx.attempt + 1);
    } catch (publishErr) {
      // Without a confirmed retry copy the original must not be lost: hand it back to the queue now.
      this.opts.log.warn('event retry copy not confirmed, requeueing', {
        queue,
        err: publishErr,
      });
      ch.nack(msg, false, true);
      return;
    }
    // Acked only now, so a crash in between duplicates the message instead of losing it.
    ch.ack(msg);
    this.opts.metrics.consumed(queue, type, 'retry');
  }

  private deadLetter(
    ch: ConfirmChannel,
    msg: ConsumeMessage,
    type: EventType | 'unknown',
    reason: string,
    messageId: string | undefined,
  ): void {
    this.opts.log.warn('unprocessable event dead-lettered', { queue: this.sub.queue, messageId, reason });
    // Rejecting without requeue routes it through the queue's dead-letter exchange into <queue>.dlq.
    ch.nack(msg, false, false);
    this.opts.metrics.consumed(this.sub.queue, type, 'dead');
  }
}

// Generic so the handler and the event are known to share one event type.
const invoke = <K extends EventType>(
  handler: (event: EventOf<K>, ctx: HandlerContext) => Promise<void>,
  event: EventOf<K>,
  ctx: HandlerContext,
): Promise<void> => handler(event, ctx);

function publishConfirmed(
  ch: ConfirmChannel,
  queue: string,
  msg: ConsumeMessage,
  attempt: number,
): Promise<void> {
  const p = msg.properties;
  const options: Options.Publish = {
    persistent: true,
    contentType: p.contentType,
    messageId: p.messageId,
    correlationId: p.correlationId,
    type: p.type,
    appId: p.appId,
    timestamp: p.timestamp,
    headers: { ...p.headers, [ATTEMPT_HEADER]: attempt },
  };
  return new Promise<void>((resolve, reject) => {
    try {
      ch.sendToQueue(queue, msg.content, options, (err: unknown) => (err ? reject(err) : resolve()));
    } catch (err) {
      reject(err);
    }
  });
}
