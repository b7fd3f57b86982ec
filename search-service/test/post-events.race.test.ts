import { EventTypes } from '@social/common/events';
import { buildPostCreated, buildPostDeleted, createTestUser, waitFor } from '@social/testkit/helpers';
import { handlePostCreated } from '../src/events/post-created.handler';
import type { SearchPostModel } from '../src/models/search-post.model';
import { uniqueWord } from './support/search-words';
import { searchIds } from './support/search-client';
import { consumedCount, startSearchHarness, type SearchHarness } from './support/search-harness';

let h: SearchHarness;
const alice = createTestUser();

/** Runs once, inside the next post.created handler, after its tombstone check and before its upsert. */
let beforeNextUpsert: (() => Promise<void>) | undefined;

/** The real model, except that an upsert first runs `beforeNextUpsert`: a window another delivery can race into. */
const pausingUpserts = (model: SearchPostModel): SearchPostModel =>
  new Proxy(model, {
    get: (target, prop, receiver) =>
      prop === 'updateOne'
        ? async (...args: unknown[]) => {
            const pause = beforeNextUpsert;
            beforeNextUpsert = undefined;
            await pause?.();
            return Reflect.apply(target.updateOne, target, args);
          }
        : Reflect.get(target, prop, receiver),
  });

beforeAll(async () => {
  h = await startSearchHarness({
    subscription: (deps, base) => ({
      ...base,
      handlers: {
        ...base.handlers,
        [EventTypes.PostCreated]: handlePostCreated({
          ...deps,
          searchPosts: pausingUpserts(deps.searchPosts),
        }),
      },
    }),
  });
});
afterAll(async () => {
  await h.close();
});

describe('queue search-service.post-events: post.created and post.deleted at once', () => {
  test('when post.deleted is handled after post.created checked for a tombstone but before it wrote, then the post stays unsearchable', async () => {
    // Arrange: the delete runs to completion while the create waits just before writing.
    const word = uniqueWord();
    const created = buildPostCreated({ content: `raced ${word}` });
    const createdBefore = await consumedCount(h, EventTypes.PostCreated, 'ok');
    beforeNextUpsert = async () => {
      const deletedBefore = await consumedCount(h, EventTypes.PostDeleted, 'ok');
      await h.publisher.publish(buildPostDeleted({ postId: created.data.postId }));
      await waitFor(async () => (await consumedCount(h, EventTypes.PostDeleted, 'ok')) > deletedBefore, {
        description: 'post.deleted handled while post.created waits',
      });
    };
    // Act
    await h.publisher.publish(created);
    // Assert
    await waitFor(async () => (await consumedCount(h, EventTypes.PostCreated, 'ok')) > createdBefore, {
      description: 'post.created handled',
    });
    expect(await h.deps.searchPosts.countDocuments({ postId: created.data.postId })).toBe(0);
    expect(await searchIds(h.app, alice, word)).toEqual([]);
  });
});
