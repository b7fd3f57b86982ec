import amqp from 'amqplib';
import { consumerQueueNames, deadLetterExchangeName, deadLetterQueueName } from '@social/common/events';
import type { RunningStack } from '../../scripts/stack/start-stack';

export const RABBITMQ_URL = 'amqp://guest:guest@127.0.0.1:5672';
const BACKOFF_MS = [100, 200, 400];

/** The consumer queues of a stack, by owning service. */
export const consumerQueues = (stack: RunningStack): Record<'search' | 'media', string> => ({
  search: stack.env['search-service'].SEARCH_EVENTS_QUEUE as string,
  media: stack.env['media-service'].MEDIA_POST_DELETED_QUEUE as string,
});

/** Messages waiting in `<queue>.dlq` (nobody consumes dead letters). */
export async function deadLetterCount(queue: string): Promise<number> {
  const conn = await amqp.connect(RABBITMQ_URL);
  try {
    const ch = await conn.createChannel();
    const { messageCount } = await ch.checkQueue(deadLetterQueueName(queue));
    return messageCount;
  } finally {
    await conn.close();
  }
}

/** Puts raw bytes straight onto a consumer queue, as a buggy or hostile publisher would. */
export async function sendRaw(
  queue: string,
  body: Buffer,
  properties: amqp.Options.Publish = {},
): Promise<void> {
  const conn = await amqp.connect(RABBITMQ_URL);
  try {
    const ch = await conn.createConfirmChannel();
    ch.sendToQueue(queue, body, { persistent: true, ...properties });
    await ch.waitForConfirms();
  } finally {
    await conn.close();
  }
}

/** Deletes a stopped stack's queues and exchanges, so runs leave nothing behind on the shared broker. */
export async function deleteBrokerTopology(stack: RunningStack): Promise<void> {
  const exchange = stack.env['post-service'].EVENTS_EXCHANGE as string;
  const conn = await amqp.connect(RABBITMQ_URL);
  try {
    const ch = await conn.createChannel();
    for (const queue of Object.values(consumerQueues(stack))) {
      for (const name of consumerQueueNames(queue, BACKOFF_MS)) await ch.deleteQueue(name);
    }
    await ch.deleteExchange(exchange);
    await ch.deleteExchange(deadLetterExchangeName(exchange));
  } finally {
    await conn.close();
  }
}
