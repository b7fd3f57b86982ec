import amqp from 'amqplib';
import { EventTypes, type EventOf, type HandlerContext } from '@social/common/events';
import { buildPostCreated, waitFor } from '@social/testkit/helpers';
import { RABBITMQ_URL, startSearchHarness, type SearchHarness } from './support/search-harness';

let h: SearchHarness;
let markStarted: () => void;
let release: () => void;
const started = new Promise<void>((resolve) => (markStarted = resolve));
const gate = new Promise<void>((resolve) => (release = resolve));

beforeAll(async () => {
  // The production handler, held at its start so shutdown begins while the message is in hand.
  h = await startSearchHarness({
    subscription: (_deps, base) => ({
      ...base,
      handlers: {
        ...base.handlers,
        [EventTypes.PostCreated]: async (event: EventOf<'post.created'>, ctx: HandlerContext) => {
          markStarted();
          await gate;
          await base.handlers[EventTypes.PostCreated]!(event, ctx);
        },
      },
    }),
  });
});
afterAll(async () => {
  await h.close();
});

describe('graceful shutdown of the consumer', () => {
  test('when the bus closes while a message is in hand, then it finishes, is stored and acked', async () => {
    // Arrange
    const event = buildPostCreated();
    await h.publisher.publish(event);
    await started;
    // Act
    const closing = h.bus.close();
    release();
    await closing;
    // Assert
    expect(await h.deps.searchPosts.countDocuments({ postId: event.data.postId })).toBe(1);
    const conn = await amqp.connect(RABBITMQ_URL);
    const ch = await conn.createChannel();
    await waitFor(async () => (await ch.checkQueue(h.queue)).messageCount === 0, {
      description: 'nothing requeued',
    });
    await conn.close();
  });
});
