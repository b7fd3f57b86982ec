import amqp from 'amqplib';
import { deadLetterQueueName } from '@social/common/events';
import { deleteBrokerTopology as deleteStackTopology } from '../../scripts/stack/broker-topology';
import type { RunningStack } from '../../scripts/stack/start-stack';

export const RABBITMQ_URL = 'amqp://guest:guest@127.0.0.1:5672';

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

/** Deletes a stopped stack's queues and exchanges (stop() already does; kept for the tests' own cleanup). */
export const deleteBrokerTopology = (stack: RunningStack): Promise<void> =>
  deleteStackTopology(stack.env, RABBITMQ_URL);
