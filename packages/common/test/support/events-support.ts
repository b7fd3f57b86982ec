import { execFile } from 'node:child_process';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { connect, type Channel, type ChannelModel, type GetMessage, type Options } from 'amqplib';
import winston from 'winston';
import { buildPostCreated, waitFor } from '@social/testkit/helpers';
import type { EventBus, OutgoingEvent } from '../../src/events';

export const RABBIT_URL = 'amqp://guest:guest@127.0.0.1:5672';

const run = promisify(execFile);

export interface LogEntry {
  level: string;
  message: string;
  [key: string]: unknown;
}

/** A real winston logger whose entries the test can read back. */
export function createCapturingLogger(): { log: winston.Logger; entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const stream = new Writable({
    objectMode: true,
    write(info: LogEntry, _enc, done) {
      entries.push(info);
      done();
    },
  });
  const log = winston.createLogger({
    level: 'debug',
    transports: [new winston.transports.Stream({ stream })],
  });
  return { log, entries };
}

/** A plain amqplib client that looks at the broker from outside the bus under test. */
export class BrokerProbe {
  private constructor(
    private readonly conn: ChannelModel,
    readonly ch: Channel,
  ) {}

  static async open(): Promise<BrokerProbe> {
    const conn = await connect(RABBIT_URL);
    const ch = await conn.createChannel();
    return new BrokerProbe(conn, ch);
  }

  /** Waits until `queue` holds a message and takes it. */
  async take(queue: string, timeoutMs = 5000): Promise<GetMessage> {
    let msg: GetMessage | false = false;
    await waitFor(
      async () => {
        msg = await this.ch.get(queue, { noAck: true });
        return msg !== false;
      },
      { timeoutMs, description: `a message in ${queue}` },
    );
    if (msg === false) throw new Error(`no message in ${queue}`);
    return msg;
  }

  async messageCount(queue: string): Promise<number> {
    return (await this.ch.checkQueue(queue)).messageCount;
  }

  publishRaw(exchange: string, routingKey: string, body: string, options: Options.Publish = {}): void {
    this.ch.publish(exchange, routingKey, Buffer.from(body), { persistent: true, ...options });
  }

  async cleanup(queues: string[], exchanges: string[]): Promise<void> {
    for (const q of queues) await this.ch.deleteQueue(q);
    for (const e of exchanges) await this.ch.deleteExchange(e);
  }

  async close(): Promise<void> {
    await this.conn.close();
  }
}

/**
 * Has the broker force-close (CONNECTION_FORCED, as on a broker restart) only the connections that
 * announced `connectionName`, so suites running in parallel on the same broker are left alone.
 */
export async function dropBrokerConnections(connectionName: string): Promise<number> {
  const { stdout } = await run('rabbitmqctl', [
    'list_connections',
    'pid',
    'client_properties',
    '-q',
    '--no-table-headers',
  ]);
  const marker = `{"connection_name","${connectionName}"}`;
  const pids = stdout
    .split('\n')
    .filter((line) => line.includes(marker))
    .map((line) => line.split('\t')[0] ?? '');
  for (const pid of pids) await run('rabbitmqctl', ['close_connection', pid, 'test: simulated broker drop']);
  return pids.length;
}

export interface PublishLoad {
  /** Ids of the events the broker confirmed. */
  confirmed: Set<string>;
  /** Ids of the events that needed more than one publish. */
  retried: Set<string>;
  /** Stops the writers once each has its current event confirmed. */
  stop(): Promise<void>;
}

/**
 * Publishes new events from a few parallel writers until stopped. Like the outbox relay, a writer publishes
 * an unconfirmed event again until the broker confirms it (bounded), and only then moves on.
 */
export function publishLoad(bus: Pick<EventBus, 'publish'>, writers = 4): PublishLoad {
  const confirmed = new Set<string>();
  const retried = new Set<string>();
  let running = true;
  const publishUntilConfirmed = async (event: OutgoingEvent): Promise<void> => {
    for (let attempt = 1; attempt <= 500; attempt++) {
      if (
        await bus.publish(event).then(
          () => true,
          () => false,
        )
      )
        return;
      retried.add(event.id);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`event ${event.id} not confirmed after 500 attempts`);
  };
  const writer = async (): Promise<void> => {
    while (running) {
      const event = buildPostCreated();
      await publishUntilConfirmed(event);
      confirmed.add(event.id);
    }
  };
  const done = Promise.all(Array.from({ length: writers }, writer));
  // Reported by stop(); until then a failed writer must not count as an unhandled rejection.
  done.catch(() => {});
  return {
    confirmed,
    retried,
    stop: async () => {
      running = false;
      await done;
    },
  };
}
