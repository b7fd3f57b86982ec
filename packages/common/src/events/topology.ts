import type { Channel } from 'amqplib';

/** Dead letters of every queue on `exchange` go through this direct exchange, routed by queue name. */
export const deadLetterExchangeName = (exchange: string): string => `${exchange}.dlx`;
export const deadLetterQueueName = (queue: string): string => `${queue}.dlq`;
/** One delay queue per backoff step: a shared queue with per-message TTLs would hold short delays behind long ones. */
export const retryQueueName = (queue: string, delayMs: number): string => `${queue}.retry.${delayMs}`;

/** Every queue a subscription owns, e.g. for tests or tooling that clean up after themselves. */
export function consumerQueueNames(queue: string, backoffMs: readonly number[]): string[] {
  return [queue, deadLetterQueueName(queue), ...[...new Set(backoffMs)].map((d) => retryQueueName(queue, d))];
}

export async function assertExchanges(ch: Channel, exchange: string): Promise<void> {
  await ch.assertExchange(exchange, 'topic', { durable: true });
  await ch.assertExchange(deadLetterExchangeName(exchange), 'direct', { durable: true });
}

export interface ConsumerTopology {
  exchange: string;
  queue: string;
  routingKeys: readonly string[];
  retryDelaysMs: readonly number[];
}

/**
 * Declares the main queue (dead-lettering into `<queue>.dlq`), the DLQ, the delay queues and the bindings.
 * Idempotent, so it runs again after every reconnect.
 */
export async function assertConsumerTopology(ch: Channel, t: ConsumerTopology): Promise<void> {
  const dlx = deadLetterExchangeName(t.exchange);
  const dlq = deadLetterQueueName(t.queue);
  await ch.assertQueue(dlq, { durable: true });
  await ch.bindQueue(dlq, dlx, t.queue);
  await ch.assertQueue(t.queue, { durable: true, deadLetterExchange: dlx, deadLetterRoutingKey: t.queue });
  for (const delayMs of new Set(t.retryDelaysMs)) {
    // An expired copy dead-letters through the default exchange straight back onto the main queue.
    await ch.assertQueue(retryQueueName(t.queue, delayMs), {
      durable: true,
      messageTtl: delayMs,
      deadLetterExchange: '',
      deadLetterRoutingKey: t.queue,
    });
  }
  for (const key of t.routingKeys) await ch.bindQueue(t.queue, t.exchange, key);
}
