import { randomUUID } from 'node:crypto';
import {
  consumerQueueNames,
  createEventBus,
  deadLetterExchangeName,
  EventBusClosedError,
  EventPublishError,
  EventTypes,
  type EventBus,
  type PostCreatedEvent,
} from '../src/events';
import { buildPostCreated, uniqueName, waitFor } from '@social/testkit/helpers';
import {
  BrokerProbe,
  createCapturingLogger,
  dropBrokerConnections,
  RABBIT_URL,
} from './support/events-support';

const retry = { maxAttempts: 2, backoffMs: [50] };
const reconnect = { initialDelayMs: 50, maxDelayMs: 400 };

describe('when the broker drops the connection', () => {
  const exchange = uniqueName('events-recovery');
  const queue = uniqueName('events-recovery-queue');
  // Unique so the forced close hits only this suite's connection, not parallel suites on the same broker.
  const appId = `events-recovery-${randomUUID()}`;
  const { log, entries } = createCapturingLogger();
  const received: PostCreatedEvent[] = [];
  let bus: EventBus;

  beforeAll(async () => {
    bus = createEventBus({ url: RABBIT_URL, appId, log, exchange, retry, reconnect, publishTimeoutMs: 2000 });
    await bus.connect();
    await bus.subscribe({
      queue,
      handlers: { [EventTypes.PostCreated]: async (event) => void received.push(event) },
    });
  });

  afterAll(async () => {
    await bus.close();
    const probe = await BrokerProbe.open();
    await probe.cleanup(consumerQueueNames(queue, retry.backoffMs), [
      exchange,
      deadLetterExchangeName(exchange),
    ]);
    await probe.close();
  });

  test('when connections are force-closed, then publisher and consumer recover and deliver a later event', async () => {
    const before = buildPostCreated();
    await bus.publish(before);
    await waitFor(() => received.some((e) => e.id === before.id), {
      description: 'the event before the drop',
    });

    expect(await dropBrokerConnections(appId)).toBe(1);

    await waitFor(() => entries.some((e) => e.message === 'event bus reconnected'), {
      description: 'reconnect',
    });
    expect(bus.isConnected()).toBe(true);
    const after = buildPostCreated();
    await bus.publish(after);
    await waitFor(() => received.some((e) => e.id === after.id), { description: 'the event after recovery' });
    expect(entries).toContainEqual(
      expect.objectContaining({ level: 'warn', message: 'event bus disconnected, reconnecting' }),
    );
  });
});

describe('when a consumer restarts', () => {
  const exchange = uniqueName('events-restart');
  const queue = uniqueName('events-restart-queue');
  const drainQueue = uniqueName('events-drain-queue');
  // Long enough that the first instance is surely closed before the retry copy expires.
  const slowRetry = { maxAttempts: 3, backoffMs: [1000] };
  const buses: EventBus[] = [];
  let probe: BrokerProbe;

  const startBus = async (): Promise<EventBus> => {
    const { log } = createCapturingLogger();
    const bus = createEventBus({
      url: RABBIT_URL,
      appId: 'events-restart-test',
      log,
      exchange,
      retry: slowRetry,
      reconnect,
    });
    buses.push(bus);
    await bus.connect();
    return bus;
  };

  beforeAll(async () => {
    probe = await BrokerProbe.open();
  });

  afterAll(async () => {
    await Promise.all(buses.map((b) => b.close()));
    await probe.cleanup(
      [queue, drainQueue].flatMap((q) => consumerQueueNames(q, slowRetry.backoffMs)),
      [exchange, deadLetterExchangeName(exchange)],
    );
    await probe.close();
  });

  test('when it stops while a retry is pending, then the next instance gets the retry with its attempt count', async () => {
    const first = await startBus();
    let failedOnce = false;
    await first.subscribe({
      queue,
      handlers: {
        [EventTypes.PostCreated]: async () => {
          failedOnce = true;
          throw new Error('transient');
        },
      },
    });
    const event = buildPostCreated();
    await first.publish(event);
    await waitFor(() => failedOnce, { description: 'the first failure' });
    await first.close();

    const attempts: number[] = [];
    const second = await startBus();
    await second.subscribe({
      queue,
      handlers: {
        [EventTypes.PostCreated]: async (e, ctx) => void (e.id === event.id && attempts.push(ctx.attempt)),
      },
    });

    await waitFor(() => attempts.length === 1, { description: 'the retried event' });
    expect(attempts).toEqual([2]);
  });

  test('when close() is called during a handler, then it waits for the handler and the message is acked', async () => {
    const bus = await startBus();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started = false;
    await bus.subscribe({
      queue: drainQueue,
      handlers: {
        [EventTypes.PostCreated]: async () => {
          started = true;
          await gate;
        },
      },
    });
    await bus.publish(buildPostCreated());
    await waitFor(() => started, { description: 'the handler to start' });

    let closed = false;
    const closing = bus.close().then(() => (closed = true));
    await waitFor(async () => (await probe.ch.checkQueue(drainQueue)).consumerCount === 0, {
      description: 'cancel',
    });
    expect(closed).toBe(false);
    release();
    await closing;

    expect(await probe.messageCount(drainQueue)).toBe(0);
  });
});

describe('when the broker is unreachable', () => {
  // Port 1 refuses connections at once, standing in for a broker that is down.
  const unreachable = 'amqp://guest:guest@127.0.0.1:1';

  test('when publishing, then publish rejects promptly while start() keeps retrying in the background', async () => {
    const { log, entries } = createCapturingLogger();
    const bus = createEventBus({ url: unreachable, appId: 'events-down-test', log, reconnect });
    const retries = () => entries.filter((e) => e.message === 'event bus disconnected, reconnecting').length;

    bus.start();
    await waitFor(() => retries() >= 3, { description: 'three reconnect attempts' });
    const startedAt = Date.now();
    const publishing = bus.publish(buildPostCreated());

    await expect(publishing).rejects.toBeInstanceOf(EventPublishError);
    expect(Date.now() - startedAt).toBeLessThan(500);
    expect(bus.isConnected()).toBe(false);
    await bus.close();
  });

  test('when closed while connect() is still waiting, then connect() rejects and close() resolves', async () => {
    const { log } = createCapturingLogger();
    const bus = createEventBus({ url: unreachable, appId: 'events-down-test', log, reconnect });

    const connecting = expect(bus.connect()).rejects.toBeInstanceOf(EventBusClosedError);
    await bus.close();

    await connecting;
    await expect(bus.publish(buildPostCreated())).rejects.toThrow('event bus is closed');
  });
});
