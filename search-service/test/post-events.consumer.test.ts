import amqp from 'amqplib';
import { deadLetterQueueName, EventTypes, newIntegrationEvent } from '@social/common/events';
import {
  buildPostCreated,
  buildPostDeleted,
  createTestUser,
  newObjectId,
  waitFor,
} from '@social/testkit/helpers';
import {
  consumedCount,
  RABBITMQ_URL,
  startSearchHarness,
  type SearchHarness,
} from './support/search-harness';
import { uniqueWord } from './support/search-words';
import { searchIds } from './support/search-client';

let h: SearchHarness;
const alice = createTestUser();

beforeAll(async () => {
  h = await startSearchHarness();
});
afterAll(async () => {
  await h.close();
});

const isSearchable = async (word: string, postId: string): Promise<boolean> =>
  (await searchIds(h.app, alice, word)).includes(postId);

describe('queue search-service.post-events: post.created', () => {
  test('when post.created is published, then the post becomes searchable with its fields', async () => {
    // Arrange
    const word = uniqueWord();
    const event = buildPostCreated({ content: `hello ${word}` });
    // Act
    await h.publisher.publish(event);
    // Assert
    await waitFor(() => isSearchable(word, event.data.postId), { description: 'post searchable' });
    const stored = await h.deps.searchPosts.findOne({ postId: event.data.postId }).lean();
    expect(stored).toMatchObject({
      postId: event.data.postId,
      userId: event.data.userId,
      content: `hello ${word}`,
      createdAt: new Date(event.data.createdAt),
    });
  });

  test('when the same post.created is delivered twice, then there is one document', async () => {
    // Arrange
    const event = buildPostCreated();
    const handledBefore = await consumedCount(h, EventTypes.PostCreated, 'ok');
    // Act
    await h.publisher.publish(event);
    await h.publisher.publish(event);
    // Assert
    await waitFor(async () => (await consumedCount(h, EventTypes.PostCreated, 'ok')) >= handledBefore + 2, {
      description: 'both deliveries handled',
    });
    expect(await h.deps.searchPosts.countDocuments({ postId: event.data.postId })).toBe(1);
  });
});

describe('queue search-service.post-events: post.deleted', () => {
  test('when post.deleted follows post.created, then search no longer finds the post', async () => {
    // Arrange
    const word = uniqueWord();
    const created = buildPostCreated({ content: `bye ${word}` });
    await h.publisher.publish(created);
    await waitFor(() => isSearchable(word, created.data.postId), { description: 'post searchable' });
    // Act
    await h.publisher.publish(buildPostDeleted({ postId: created.data.postId }));
    // Assert
    await waitFor(async () => (await searchIds(h.app, alice, word)).length === 0, {
      description: 'post gone from search',
    });
    expect(await h.deps.tombstones.exists({ postId: created.data.postId })).toBeTruthy();
  });

  test('when post.deleted arrives before post.created, then the post never becomes searchable', async () => {
    // Arrange
    const word = uniqueWord();
    const created = buildPostCreated({ content: `late ${word}` });
    const handledBefore = await consumedCount(h, EventTypes.PostCreated, 'ok');
    // Act
    await h.publisher.publish(buildPostDeleted({ postId: created.data.postId }));
    await h.publisher.publish(created);
    // Assert
    await waitFor(async () => (await consumedCount(h, EventTypes.PostCreated, 'ok')) > handledBefore, {
      description: 'late post.created handled',
    });
    expect(await searchIds(h.app, alice, word)).toEqual([]);
    expect(await h.deps.searchPosts.countDocuments({ postId: created.data.postId })).toBe(0);
  });

  test('when post.deleted is delivered twice, then it stays gone and one tombstone remains', async () => {
    // Arrange
    const deleted = buildPostDeleted({ postId: buildPostCreated().data.postId });
    const handledBefore = await consumedCount(h, EventTypes.PostDeleted, 'ok');
    // Act
    await h.publisher.publish(deleted);
    await h.publisher.publish(deleted);
    // Assert
    await waitFor(async () => (await consumedCount(h, EventTypes.PostDeleted, 'ok')) >= handledBefore + 2, {
      description: 'both deliveries handled',
    });
    expect(await h.deps.tombstones.countDocuments({ postId: deleted.data.postId })).toBe(1);
  });
});

describe('search collections', () => {
  test('when the models are initialised, then postId is unique, content has an English text index and tombstones expire', async () => {
    // Act
    const [posts, tombstones] = await Promise.all([
      h.deps.searchPosts.collection.indexes(),
      h.deps.tombstones.collection.indexes(),
    ]);
    // Assert
    expect(posts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ key: { postId: 1 }, unique: true }),
        expect.objectContaining({ name: 'content_text', default_language: 'english' }),
      ]),
    );
    expect(tombstones).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ key: { postId: 1 }, unique: true }),
        expect.objectContaining({ key: { deletedAt: 1 }, expireAfterSeconds: 86_400 }),
      ]),
    );
  });
});

describe('queue search-service.post-events: bad input and failures', () => {
  test('when a malformed message arrives, then it goes to the DLQ and the next good message is processed', async () => {
    // Arrange
    const conn = await amqp.connect(RABBITMQ_URL);
    const ch = await conn.createChannel();
    const word = uniqueWord();
    const good = buildPostCreated({ content: `after ${word}` });
    // Act
    ch.publish(h.exchange, EventTypes.PostCreated, Buffer.from('{not json'), { messageId: 'bad-json' });
    ch.publish(
      h.exchange,
      EventTypes.PostCreated,
      Buffer.from(JSON.stringify({ ...buildPostCreated(), data: { content: 'no ids' } })),
      { messageId: 'bad-shape' },
    );
    await h.publisher.publish(good);
    // Assert
    await waitFor(() => isSearchable(word, good.data.postId), { description: 'good post searchable' });
    const dlq = deadLetterQueueName(h.queue);
    const deadIds: unknown[] = [];
    await waitFor(
      async () => {
        const msg = await ch.get(dlq, { noAck: true });
        if (msg) deadIds.push(msg.properties.messageId);
        return deadIds.length >= 2;
      },
      { description: 'both malformed messages dead-lettered' },
    );
    expect(deadIds.sort()).toEqual(['bad-json', 'bad-shape']);
    await conn.close();
  });

  test('when MongoDB is unavailable for a moment, then the event is retried and not lost', async () => {
    // Arrange
    const word = uniqueWord();
    const event = buildPostCreated({ content: `retried ${word}` });
    const retriesBefore = await consumedCount(h, EventTypes.PostCreated, 'retry');
    await h.conn.close();
    // Act
    await h.publisher.publish(event);
    await waitFor(async () => (await consumedCount(h, EventTypes.PostCreated, 'retry')) > retriesBefore, {
      description: 'a failed attempt scheduled for retry',
    });
    await h.conn.openUri(h.mongo.uri);
    // Assert
    await waitFor(() => isSearchable(word, event.data.postId), {
      timeoutMs: 10_000,
      description: 'post searchable after MongoDB is back',
    });
    expect(await consumedCount(h, EventTypes.PostCreated, 'dead')).toBe(0);
  });
});

describe('queue search-service.post-events: user.deleted', () => {
  test('when an account is deleted, then none of its posts is searchable and a late post.created of one stays out', async () => {
    // Arrange: two posts of bob, one of carol, all searchable by one word
    const word = uniqueWord();
    const bob = newObjectId();
    const carolPost = buildPostCreated({ content: `kept ${word}` });
    const bobPosts = [
      buildPostCreated({ userId: bob, content: `one ${word}` }),
      buildPostCreated({ userId: bob, content: `two ${word}` }),
    ];
    for (const event of [...bobPosts, carolPost]) await h.publisher.publish(event);
    await waitFor(async () => (await searchIds(h.app, alice, word)).length === 3, {
      description: 'three posts searchable',
    });

    // Act
    await h.publisher.publish(newIntegrationEvent(EventTypes.UserDeleted, { userId: bob }));
    await waitFor(async () => (await searchIds(h.app, alice, word)).length === 1, {
      description: "bob's posts gone",
    });
    const handled = await consumedCount(h, EventTypes.PostCreated, 'ok');
    await h.publisher.publish(bobPosts[0]!); // redelivered late, after the deletion
    await waitFor(async () => (await consumedCount(h, EventTypes.PostCreated, 'ok')) > handled, {
      description: 'late event handled',
    });

    // Assert
    expect(await searchIds(h.app, alice, word)).toEqual([carolPost.data.postId]);
    expect(await h.deps.searchPosts.countDocuments({ userId: bob })).toBe(0);
  });

  test('when the same user.deleted is delivered twice, then the second changes nothing', async () => {
    const event = newIntegrationEvent(EventTypes.UserDeleted, { userId: newObjectId() });
    const before = await consumedCount(h, EventTypes.UserDeleted, 'ok');

    await h.publisher.publish(event);
    await h.publisher.publish(event);

    await waitFor(async () => (await consumedCount(h, EventTypes.UserDeleted, 'ok')) >= before + 2, {
      description: 'both handled',
    });
  });
});
