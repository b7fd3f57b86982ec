import amqp, { type ConsumeMessage } from 'amqplib';

export interface ProbedMessage {
  routingKey: string;
  properties: ConsumeMessage['properties'];
  body: unknown;
}

export interface QueueProbe {
  /** The next message (in arrival order), or an error after the timeout. */
  next(timeoutMs?: number): Promise<ProbedMessage>;
  /** Every message received so far. */
  received: ProbedMessage[];
  close(): Promise<void>;
}

/**
 * A throw-away queue bound to the real exchange, to assert what a service published. Test-only: exclusive and
 * auto-deleted, which production queues never are.
 */
export async function probeQueue(url: string, exchange: string, routingKeys: string[]): Promise<QueueProbe> {
  const conn = await amqp.connect(url);
  const ch = await conn.createChannel();
  await ch.assertExchange(exchange, 'topic', { durable: true });
  const { queue } = await ch.assertQueue('', { exclusive: true, autoDelete: true });
  for (const key of routingKeys) await ch.bindQueue(queue, exchange, key);
  const received: ProbedMessage[] = [];
  let cursor = 0;
  const waiters: Array<() => void> = [];
  await ch.consume(
    queue,
    (msg) => {
      if (!msg) return;
      received.push({
        routingKey: msg.fields.routingKey,
        properties: msg.properties,
        body: JSON.parse(msg.content.toString()),
      });
      waiters.splice(0).forEach((wake) => wake());
    },
    { noAck: true },
  );
  const next = async (timeoutMs = 5_000): Promise<ProbedMessage> => {
    const deadline = Date.now() + timeoutMs;
    while (cursor >= received.length) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`probeQueue: no message on ${routingKeys.join(',')} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return received[cursor++]!;
  };
  return {
    next,
    received,
    close: async () => {
      await conn.close().catch(() => undefined);
    },
  };
}
