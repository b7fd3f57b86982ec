import request from 'supertest';
import { EventTypes } from '@social/common/events';
import {
  buildPostCreated,
  buildPostDeleted,
  type CapturedLogger,
  captureLogger,
  createTestUser,
  waitFor,
} from '@social/testkit/helpers';
import { consumedCount, startSearchHarness, type SearchHarness } from './support/search-harness';

let h: SearchHarness;
let captured: CapturedLogger;
const alice = createTestUser();

beforeAll(async () => {
  captured = captureLogger('search-service');
  h = await startSearchHarness({ log: captured.log });
});
afterAll(async () => {
  await h.close();
});

const metricsText = async (): Promise<string> => (await request(h.internal).get('/metrics')).text;

describe('observability of the post event consumer', () => {
  test('when post.created is handled, then /metrics counts it and records its lag', async () => {
    // Arrange
    const before = await consumedCount(h, EventTypes.PostCreated, 'ok');
    // Act
    await h.publisher.publish(buildPostCreated());
    // Assert
    await waitFor(async () => (await consumedCount(h, EventTypes.PostCreated, 'ok')) > before);
    const text = await metricsText();
    expect(text).toContain(
      `events_consumed_total{queue="${h.queue}",type="post.created",outcome="ok",service="search-service"}`,
    );
    expect(text).toMatch(/search_event_lag_seconds_count\{[^}]*type="post.created"[^}]*\} [1-9]/);
  });

  test('when an event carries a correlation id, then the handler log line carries it as requestId', async () => {
    // Arrange
    const event = buildPostCreated({}, { correlationId: 'req-search-42' });
    // Act
    await h.publisher.publish(event);
    // Assert
    const line = await waitFor(() =>
      captured.lines.find((l) => l.message === 'post indexed' && l.postId === event.data.postId),
    );
    expect(line).toMatchObject({ level: 'info', service: 'search-service', requestId: 'req-search-42' });
  });

  test('when post.created arrives after post.deleted, then it is counted and logged as ignored', async () => {
    // Arrange
    const created = buildPostCreated();
    await h.publisher.publish(buildPostDeleted({ postId: created.data.postId }));
    await waitFor(() =>
      captured.lines.some(
        (l) => l.message === 'post removed from search' && l.postId === created.data.postId,
      ),
    );
    // Act
    await h.publisher.publish(created);
    // Assert
    await waitFor(() =>
      captured.lines.some(
        (l) => l.message === 'post.created ignored, post already deleted' && l.postId === created.data.postId,
      ),
    );
    expect(await metricsText()).toMatch(
      /search_post_created_after_delete_total\{service="search-service"\} [1-9]/,
    );
  });

  test('when a search request is served, then the HTTP histogram records its route', async () => {
    // Act
    await request(h.app).get('/api/search/posts').query({ query: 'hello' }).set(alice.auth).expect(200);
    // Assert
    expect(await metricsText()).toContain('route="/api/search/posts",status_code="200"');
  });
});
