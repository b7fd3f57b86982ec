import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import {
  ATTEMPT_HEADER,
  consumerQueueNames,
  createEventBus,
  deadLetterExchangeName,
  deadLetterQueueName,
  EventPublishError,
  EventTypes,
  type EventBus,
  type HandlerContext,
  type IntegrationEvent,
  type SubscriptionHandlers,
} from '../src/events';
import {
  buildPostCreated,
  buildPostDeleted,
  newObjectId,
  uniqueName,
  waitFor,
} from '@social/testkit/helpers';
import { BrokerProbe, createCapturingLogger, RABBIT_URL } from './support/events-support';

const exchange = uniqueName('events-bus');
const retry = { maxAttempts: 3, backoffMs: [50, 100] };
const requestContext = new AsyncLocalStorage<{ requestId?: string }>();
const registry = new Registry();
const { log, entries } = createCapturingLogger();
const queues: string[] = [];
let bus: EventBus;
let probe: BrokerProbe;

interface Call {
  event: IntegrationEvent;
  ctx: HandlerContext;
  requestId: string | undefined;
}

/** A handler that records each call and fails while `fail(call number)` says so. */
function recorder(fail: (call: number) => boolean = () => false) {
  const calls: Call[] = [];
  const handler = async (event: IntegrationEvent, ctx: HandlerContext): Promise<void> => {
    calls.push({ event, ctx, requestId: requestContext.getStore()?.requestId });
    if (fail(calls.length)) throw new Error(`handler failure ${calls.length}`);
  };
  const idsOf = (id: string): Call[] => calls.filter((c) => c.event.id === id);
  return { calls, handler, idsOf };
}

async function subscribe(handlers: SubscriptionHandlers): Promise<string> {
  const queue = uniqueName('events-bus-queue');
  queues.push(queue);
  await bus.subscribe({ queue, handlers });
  return queue;
}

const counterValue = async (name: string, labels: Record<string, string>): Promise<number> => {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const values = (metric?.values ?? []) as Array<{ value: number; labels: Record<string, string | number> }>;
  return values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value ?? 0;
};

beforeAll(async () => {
  probe = await BrokerProbe.open();
  bus = createEventBus({
    url: RABBIT_URL,
    appId: 'events-bus-test',
    log,
    exchange,
    registry,
    retry,
    reconnect: { initialDelayMs: 50, maxDelayMs: 500 },
    publishTimeoutMs: 2000,
    runInContext: (ctx, fn) => requestContext.run(ctx, fn),
  });
  await bus.connect();
});

afterAll(async () => {
  await bus.close();
  await probe.cleanup(
    queues.flatMap((q) => consumerQueueNames(q, retry.backoffMs)),
    [exchange, deadLetterExchangeName(exchange)],
  );
  await probe.close();
});

describe('publish', () => {
  test('when an event is published, then it reaches the exchange persistent with its metadata in properties', async () => {
    const { queue: tap } = await probe.ch.assertQueue('', { exclusive: true });
    await probe.ch.bindQueue(tap, exchange, EventTypes.PostCreated);
    const event = buildPostCreated({}, { correlationId: 'req-42' });

    await bus.publish(event);

    const msg = await probe.take(tap);
    expect(msg.properties).toMatchObject({
      messageId: event.id,
      correlationId: 'req-42',
      appId: 'events-bus-test',
      type: 'post.created',
      contentType: 'application/json',
      deliveryMode: 2,
      timestamp: Math.floor(Date.parse(event.occurredAt) / 1000),
    });
    expect(JSON.parse(msg.content.toString())).toEqual({
      id: event.id,
      type: event.type,
      occurredAt: event.occurredAt,
      data: event.data,
    });
  });

  test('when the event breaks its schema, then publish rejects and counts the failure', async () => {
    const before = await counterValue('events_publish_failed_total', { type: 'post.created' });

    const publishing = bus.publish(buildPostCreated({ postId: 'not-an-id' }));

    await expect(publishing).rejects.toBeInstanceOf(EventPublishError);
    expect(await counterValue('events_publish_failed_total', { type: 'post.created' })).toBe(before + 1);
  });
});

describe('subscribe', () => {
  test('when an event is published, then its handler runs once with the message metadata and context', async () => {
    const created = recorder();
    const deleted = recorder();
    await subscribe({ [EventTypes.PostCreated]: created.handler, [EventTypes.PostDeleted]: deleted.handler });
    const event = buildPostCreated({}, { correlationId: 'req-once' });
    const marker = buildPostDeleted();

    await bus.publish(event);
    await bus.publish(marker);

    // The later marker being handled shows the first event had its chance to arrive twice.
    await waitFor(() => deleted.idsOf(marker.id).length === 1, { description: 'the marker event' });
    expect(created.idsOf(event.id)).toEqual([
      {
        event: { id: event.id, type: event.type, occurredAt: event.occurredAt, data: event.data },
        ctx: { correlationId: 'req-once', messageId: event.id, attempt: 1 },
        requestId: 'req-once',
      },
    ]);
  });

  test('when a handler resolves, then the message is acked and counted as ok', async () => {
    const created = recorder();
    const queue = await subscribe({ [EventTypes.PostCreated]: created.handler });
    const before = await counterValue('events_consumed_total', {
      queue,
      type: 'post.created',
      outcome: 'ok',
    });
    const event = buildPostCreated();

    await bus.publish(event);

    await waitFor(
      async () => (await counterValue('events_consumed_total', { queue, outcome: 'ok' })) === before + 1,
    );
    expect(await probe.messageCount(queue)).toBe(0);
    expect(await counterValue('events_published_total', { type: 'post.created' })).toBeGreaterThan(0);
  });

  test('when a handler fails once, then the retry processes it and nothing is dead-lettered', async () => {
    const created = recorder((call) => call === 1);
    const queue = await subscribe({ [EventTypes.PostCreated]: created.handler });
    const event = buildPostCreated();

    await bus.publish(event);

    await waitFor(() => created.calls.length === 2, { description: 'the retry' });
    expect(created.calls.map((c) => c.ctx.attempt)).toEqual([1, 2]);
    await waitFor(async () => (await counterValue('events_consumed_total', { queue, outcome: 'ok' })) === 1);
    expect(await probe.messageCount(deadLetterQueueName(queue))).toBe(0);
    expect(entries).toContainEqual(
      expect.objectContaining({ level: 'warn', message: 'event handler failed, retrying later', queue }),
    );
  });

  test('when a handler always fails, then it runs maxAttempts times and the message lands in the DLQ', async () => {
    const created = recorder(() => true);
    const queue = await subscribe({ [EventTypes.PostCreated]: created.handler });
    const event = buildPostCreated({}, { correlationId: 'req-dead' });

    await bus.publish(event);

    const dead = await probe.take(deadLetterQueueName(queue));
    expect(created.calls.map((c) => c.ctx.attempt)).toEqual([1, 2, 3]);
    expect(dead.properties).toMatchObject({
      messageId: event.id,
      correlationId: 'req-dead',
      headers: { [ATTEMPT_HEADER]: 3 },
    });
    expect(await counterValue('events_consumed_total', { queue, outcome: 'retry' })).toBe(2);
    expect(await counterValue('events_consumed_total', { queue, outcome: 'dead' })).toBe(1);
  });

  test('when messages are not JSON or break the schema, then they go to the DLQ and consumption continues', async () => {
    const created = recorder();
    const queue = await subscribe({ [EventTypes.PostCreated]: created.handler });
    const valid = buildPostCreated();
    const invalid = { ...buildPostCreated(), correlationId: undefined, data: { postId: newObjectId() } };

    probe.publishRaw(exchange, EventTypes.PostCreated, '{not json', { messageId: 'raw-1' });
    probe.publishRaw(exchange, EventTypes.PostCreated, JSON.stringify(invalid), { messageId: 'raw-2' });
    await bus.publish(valid);

    await waitFor(() => created.idsOf(valid.id).length === 1, { description: 'the valid event' });
    await waitFor(async () => (await probe.messageCount(deadLetterQueueName(queue))) === 2);
    expect(created.calls).toHaveLength(1);
    const deadIds = [
      await probe.take(deadLetterQueueName(queue)),
      await probe.take(deadLetterQueueName(queue)),
    ];
    expect(deadIds.map((m) => m.properties.messageId)).toEqual(['raw-1', 'raw-2']);
  });

  test('when the same queue is subscribed twice, then the second subscribe rejects', async () => {
    const queue = await subscribe({ [EventTypes.PostDeleted]: recorder().handler });

    const again = bus.subscribe({ queue, handlers: { [EventTypes.PostDeleted]: recorder().handler } });

    await expect(again).rejects.toThrow(/already has a subscription/);
  });

  test('when a subscription has no handlers, then subscribe rejects', async () => {
    await expect(bus.subscribe({ queue: `unused-${randomUUID()}`, handlers: {} })).rejects.toThrow(
      /no handlers/,
    );
  });
});
