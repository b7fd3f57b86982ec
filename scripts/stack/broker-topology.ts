import amqp from 'amqplib';
import { consumerQueueNames, deadLetterExchangeName } from '@social/common/events';

/**
 * Deletes what a stack's services declared on the shared broker: every consumer queue (a variable ending in
 * `_QUEUE`) with its retry queues and DLQ, and the events exchange with its dead-letter exchange. Their names
 * are unique per run, so nothing of another run is touched; deleting what is already gone is not an error.
 */
export async function deleteBrokerTopology(
  env: Record<string, Record<string, string>>,
  rabbitUrl: string,
): Promise<void> {
  const settings = Object.values(env);
  const queues = new Set(
    settings.flatMap((e) => Object.entries(e).filter(([k]) => k.endsWith('_QUEUE'))).map(([, v]) => v),
  );
  const exchanges = new Set(
    settings.map((e) => e.EVENTS_EXCHANGE).filter((x): x is string => x !== undefined),
  );
  const backoff = (settings[0]?.EVENTS_RETRY_BACKOFF_MS ?? '').split(',').filter(Boolean).map(Number);
  const conn = await amqp.connect(rabbitUrl);
  try {
    const ch = await conn.createChannel();
    for (const queue of queues)
      for (const name of consumerQueueNames(queue, backoff)) await ch.deleteQueue(name);
    for (const exchange of exchanges) {
      await ch.deleteExchange(exchange);
      await ch.deleteExchange(deadLetterExchangeName(exchange));
    }
  } finally {
    await conn.close();
  }
}
