import type { ChannelModel, ConfirmChannel, Options } from 'amqplib';
import type { Logger } from 'winston';
import { isEventType } from './event-types';
import { EventPublishError, errorMessage } from './errors';
import { toMessageBody, type OutgoingEvent } from './integration-event';
import type { EventMetrics } from './metrics';
import { eventSchemas } from './schemas';
import { assertExchanges } from './topology';

export interface PublisherOptions {
  exchange: string;
  appId: string;
  log: Logger;
  metrics: EventMetrics;
  publishTimeoutMs: number;
  /** Whether the broker currently accepts publishes (connected and not blocked). */
  canPublish: () => string | undefined;
  onChannelLost: (reason: string) => void;
}

/** Publishes on a confirm channel: a publish counts only once the broker has taken responsibility for it. */
export class Publisher {
  private ch: ConfirmChannel | undefined;

  constructor(private readonly opts: PublisherOptions) {}

  async attach(conn: ChannelModel): Promise<void> {
    const ch = await conn.createConfirmChannel();
    ch.on('error', (err: Error) => this.opts.log.warn('event publisher channel error', { err }));
    ch.on('close', () => {
      if (this.ch !== ch) return;
      this.ch = undefined;
      this.opts.onChannelLost('publisher channel closed');
    });
    await assertExchanges(ch, this.opts.exchange);
    this.ch = ch;
  }

  detach(): void {
    this.ch = undefined;
  }

  async close(): Promise<void> {
    const ch = this.ch;
    this.ch = undefined;
    await ch?.close().catch(() => {});
  }

  isReady(): boolean {
    return this.ch !== undefined;
  }

  async publish(event: OutgoingEvent): Promise<void> {
    try {
      await this.send(event);
      this.opts.metrics.published(event.type);
      this.opts.log.debug('event published', { eventId: event.id, type: event.type });
    } catch (err) {
      this.opts.metrics.publishFailed(isEventType(event.type) ? event.type : 'unknown');
      throw err instanceof EventPublishError
        ? err
        : new EventPublishError(`publish failed: ${errorMessage(err)}`, { cause: err });
    }
  }

  private send(event: OutgoingEvent): Promise<void> {
    if (!isEventType(event.type)) throw new EventPublishError(`unknown event type "${event.type}"`);
    const { error } = eventSchemas[event.type].validate(
      { id: event.id, type: event.type, occurredAt: event.occurredAt, data: event.data },
      { convert: false },
    );
    // Consumers would dead-letter it anyway; failing here shows the bug to the producer.
    if (error) throw new EventPublishError(`invalid ${event.type}: ${error.message}`);
    const unavailable = this.opts.canPublish();
    const ch = this.ch;
    if (unavailable !== undefined || !ch) throw new EventPublishError(unavailable ?? 'not connected');

    const occurredMs = Date.parse(event.occurredAt);
    const options: Options.Publish = {
      persistent: true,
      messageId: event.id,
      type: event.type,
      contentType: 'application/json',
      appId: this.opts.appId,
      // AMQP timestamps are POSIX seconds.
      timestamp: Math.floor((Number.isNaN(occurredMs) ? Date.now() : occurredMs) / 1000),
    };
    if (event.correlationId !== undefined) options.correlationId = event.correlationId;

    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new EventPublishError(`not confirmed within ${this.opts.publishTimeoutMs} ms`)),
        this.opts.publishTimeoutMs,
      );
      const settle = (err: unknown): void => {
        clearTimeout(timer);
        if (err)
          // A nack, or the channel closed with the publish unconfirmed (its connection dropped).
          reject(new EventPublishError(`not confirmed by the broker: ${errorMessage(err)}`, { cause: err }));
        else resolve();
      };
      try {
        // A false return only means the socket buffer is full; the confirm (or the timeout) still settles.
        ch.publish(this.opts.exchange, event.type, toMessageBody(event), options, settle);
      } catch (err) {
        settle(err);
      }
    });
  }
}
