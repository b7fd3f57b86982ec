import { randomUUID } from 'node:crypto';
import { buildPostCreated, uniqueName, waitFor } from '@social/testkit/helpers';
import {
  consumerQueueNames,
  createEventBus,
  deadLetterExchangeName,
  EventBusClosedError,
  EventPublishError,
  EventTypes,
  pingEventBus,
  type EventBus,
  type EventBusOptions,
} from '../src/events';
import { brokerProxy, type BrokerProxy } from './support/events-proxy';
import {
  BrokerProbe,
  createCapturingLogger,
  dropBrokerConnections,
  publishLoad,
  RABBIT_URL,
  type LogEntry,
} from './support/events-support';
import { closedPort } from './support/tcp-proxy';

const retry = { maxAttempts: 2, backoffMs: [50] };
const reconnect = { initialDelayMs: 50, maxDelayMs: 400 };
const exchange = uniqueName('events-reconnect');
const queues: string[] = [];
const buses: EventBus[] = [];
const proxies: BrokerProxy[] = [];
let probe: BrokerProbe;

interface TestBus {
  bus: EventBus;
  /** Its connection name, so a forced close hits only this bus. */
  appId: string;
  entries: LogEntry[];
  count: (message: string) => number;
}

/** A bus on this file's exchange, closed after the file. */
function newBus(overrides: Partial<EventBusOptions> = {}): TestBus {
  const { log, entries } = createCapturingLogger();
  const appId = `events-reconnect-${randomUUID()}`;
  const bus = createEventBus({
    url: RABBIT_URL,
    appId,
    log,
    exchange,
    retry,
    reconnect,
    publishTimeoutMs: 2000,
    ...overrides,
  });
  buses.push(bus);
  const count = (message: string): number => entries.filter((e) => e.message === message).length;
  return { bus, appId, entries, count };
}

/** Subscribes a fresh queue whose handler counts deliveries per event id. */
async function countingSubscription(
  bus: EventBus,
  prefetch?: number,
): Promise<{ queue: string; deliveries: Map<string, number> }> {
  const queue = uniqueName('events-reconnect-queue');
  queues.push(queue);
  const deliveries = new Map<string, number>();
  await bus.subscribe({
    queue,
    prefetch,
    handlers: {
      [EventTypes.PostCreated]: async (event) =>
        void deliveries.set(event.id, (deliveries.get(event.id) ?? 0) + 1),
    },
  });
  return { queue, deliveries };
}

async function openProxy(): Promise<BrokerProxy> {
  const proxy = await brokerProxy();
  proxies.push(proxy);
  return proxy;
}

beforeAll(async () => {
  probe = await BrokerProbe.open();
});

afterAll(async () => {
  await Promise.all(buses.map((b) => b.close()));
  await Promise.all(proxies.map((p) => p.down()));
  await probe.cleanup(
    queues.flatMap((q) => consumerQueueNames(q, retry.backoffMs)),
    [exchange, deadLetterExchangeName(exchange)],
  );
  await probe.close();
});

describe('when the broker force-closes the connection under load', () => {
  test('when it happens twice, then every confirmed event is consumed and only at-least-once copies repeat', async () => {
    // Arrange
    const prefetch = 10;
    const { bus, appId, count } = newBus();
    await bus.connect();
    const { deliveries } = await countingSubscription(bus, prefetch);
    const load = publishLoad(bus);

    // Act
    try {
      for (let drop = 1; drop <= 2; drop++) {
        const mark = load.confirmed.size;
        await waitFor(() => load.confirmed.size >= mark + 50, { description: '50 more confirmed events' });
        expect(await dropBrokerConnections(appId)).toBe(1);
        await waitFor(() => count('event bus reconnected') >= drop, { description: `reconnect ${drop}` });
      }
      const mark = load.confirmed.size;
      await waitFor(() => load.confirmed.size >= mark + 50, { description: '50 confirmed after the drops' });
    } finally {
      await load.stop();
    }

    // Assert
    const confirmed = [...load.confirmed];
    await waitFor(() => confirmed.every((id) => deliveries.has(id)), {
      timeoutMs: 10_000,
      description: `all ${confirmed.length} confirmed events consumed`,
    });
    expect([...deliveries.keys()].filter((id) => !load.confirmed.has(id))).toEqual([]);
    // A second copy comes from a publish that was retried, or from a delivery whose ack died with the
    // connection: at most one prefetch window per drop.
    const repeated = [...deliveries].filter(([id, n]) => n > 1 && !load.retried.has(id));
    expect(repeated.length).toBeLessThanOrEqual(2 * prefetch);
    // The drops hit the load: publishes failed and were retried.
    expect(load.retried.size).toBeGreaterThan(0);
    // A connection closing also closes its channels; that alone must not make the bus close it again.
    expect(count('event bus recycling connection')).toBe(0);
  });
});

describe('when the connection drops with a publish in flight', () => {
  test('when its confirm is lost, then publish rejects at once and the retry after recovery is delivered', async () => {
    // Arrange
    const proxy = await openProxy();
    await proxy.up();
    const { bus } = newBus({ url: proxy.url, publishTimeoutMs: 30_000 });
    await bus.connect();
    const { queue: tap } = await probe.ch.assertQueue('', { exclusive: true });
    await probe.ch.bindQueue(tap, exchange, EventTypes.PostCreated);
    const event = buildPostCreated();
    proxy.holdReplies();
    const publishing = bus.publish(event);
    // Asserted below; meanwhile its rejection must not count as unhandled.
    publishing.catch(() => {});
    await waitFor(async () => (await probe.messageCount(tap)) === 1, {
      description: 'the message at the broker',
    });

    // Act
    const droppedAt = Date.now();
    await proxy.down();

    // Assert
    await expect(publishing).rejects.toBeInstanceOf(EventPublishError);
    await expect(publishing).rejects.toThrow('not confirmed by the broker: channel closed');
    expect(Date.now() - droppedAt).toBeLessThan(1000);
    await proxy.up();
    await waitFor(() => bus.isConnected(), { description: 'the bus back' });
    await bus.publish(event);
    // The broker got both copies: at-least-once, which is why consumers are idempotent.
    await waitFor(async () => (await probe.messageCount(tap)) === 2, { description: 'the second copy' });
  });
});

describe('when the broker is unreachable at start', () => {
  test('when it comes up, then start() has kept retrying, connect() resolves and an earlier subscribe consumes', async () => {
    // Arrange
    const proxy = await openProxy();
    const { bus, count } = newBus({ url: proxy.url });
    bus.start();
    const { queue, deliveries } = await countingSubscription(bus);
    let connected = false;
    const connecting = bus.connect().then(() => (connected = true));
    await waitFor(() => count('event bus disconnected, reconnecting') >= 3, { description: 'three retries' });
    expect(connected).toBe(false);

    // Act
    await proxy.up();

    // Assert
    await connecting;
    expect(bus.isConnected()).toBe(true);
    expect((await probe.ch.checkQueue(queue)).consumerCount).toBe(1);
    const event = buildPostCreated();
    await bus.publish(event);
    await waitFor(() => deliveries.get(event.id) === 1, { description: 'the event consumed' });
  });

  test('when closed during a long backoff, then close() resolves promptly and connect() rejects', async () => {
    // Arrange
    const port = await closedPort();
    const { bus, entries } = newBus({
      url: `amqp://guest:guest@127.0.0.1:${port}`,
      reconnect: { initialDelayMs: 250, maxDelayMs: 60_000 },
    });
    const connecting = bus.connect();
    connecting.catch(() => {});
    // The third retry waits about a second.
    await waitFor(
      () => entries.some((e) => e.message === 'event bus disconnected, reconnecting' && e.attempt === 3),
      { description: 'the third retry scheduled' },
    );

    // Act
    const startedAt = Date.now();
    await bus.close();

    // Assert
    expect(Date.now() - startedAt).toBeLessThan(200);
    await expect(connecting).rejects.toBeInstanceOf(EventBusClosedError);
  });

  test('when closed while a connect attempt hangs in the handshake, then close() does not wait for it', async () => {
    // Arrange: the proxy accepts TCP but the broker's answers never arrive.
    const proxy = await openProxy();
    await proxy.up();
    proxy.holdReplies();
    const { bus } = newBus({ url: proxy.url });
    bus.start();
    await waitFor(() => proxy.clients() === 1, { description: 'the connect attempt' });

    // Act
    const startedAt = Date.now();
    await bus.close();

    // Assert
    expect(Date.now() - startedAt).toBeLessThan(200);
    expect(bus.isConnected()).toBe(false);
  });
});

describe('when the bus reconnects', () => {
  test('when the connection drops, then the readiness check fails until the bus is back', async () => {
    // Arrange
    const proxy = await openProxy();
    await proxy.up();
    const { bus } = newBus({ url: proxy.url });
    await bus.connect();
    await expect(pingEventBus(bus)).resolves.toBeUndefined();

    // Act
    await proxy.down();

    // Assert
    await waitFor(() => !bus.isConnected(), { description: 'the drop noticed' });
    await expect(pingEventBus(bus)).rejects.toThrow('event bus not connected to the broker');
    await proxy.up();
    await waitFor(() => bus.isConnected(), { description: 'the bus back' });
    await expect(pingEventBus(bus)).resolves.toBeUndefined();
  });

  test('when a subscribed queue is deleted under it, then it reconnects, declares the queue again and consumes', async () => {
    // Arrange
    const { bus, count } = newBus();
    await bus.connect();
    const { queue, deliveries } = await countingSubscription(bus);

    // Act
    await probe.ch.deleteQueue(queue);

    // Assert
    await waitFor(() => count('event bus reconnected') >= 1, { description: 'the reconnect' });
    expect(count('event bus recycling connection')).toBe(1);
    expect((await probe.ch.checkQueue(queue)).consumerCount).toBe(1);
    const event = buildPostCreated();
    await bus.publish(event);
    await waitFor(() => deliveries.get(event.id) === 1, { description: 'the event consumed' });
  });

  test('when subscribing after a forced reconnect, then the new queue is declared, bound and consumed', async () => {
    // Arrange
    const { bus, appId, count } = newBus();
    await bus.connect();
    expect(await dropBrokerConnections(appId)).toBe(1);
    await waitFor(() => count('event bus reconnected') >= 1, { description: 'the reconnect' });

    // Act
    const { queue, deliveries } = await countingSubscription(bus);

    // Assert
    expect((await probe.ch.checkQueue(queue)).consumerCount).toBe(1);
    const event = buildPostCreated();
    await bus.publish(event);
    await waitFor(() => deliveries.get(event.id) === 1, { description: 'the event consumed' });
  });
});
