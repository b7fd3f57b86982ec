import {
  EventTypes,
  eventSchemas,
  newIntegrationEvent,
  parseIntegrationEvent,
  type IntegrationEvent,
} from '../src/events';
import { buildPostCreated, buildPostDeleted, newObjectId } from '@social/testkit/helpers';

const envelope = <T extends string, D>(e: IntegrationEvent<T, D>): IntegrationEvent<T, D> => ({
  id: e.id,
  type: e.type,
  occurredAt: e.occurredAt,
  data: e.data,
});

describe('newIntegrationEvent', () => {
  test('when an event is created, then it gets a UUID id, an ISO occurredAt and the correlation id', () => {
    const event = newIntegrationEvent(
      EventTypes.PostDeleted,
      { postId: newObjectId(), userId: newObjectId(), mediaIds: [] },
      { correlationId: 'req-42' },
    );

    expect(event).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      type: 'post.deleted',
      occurredAt: new Date(event.occurredAt).toISOString(),
      correlationId: 'req-42',
    });
  });

  test('when no correlation id is given, then the event has no correlationId key', () => {
    const event = newIntegrationEvent(EventTypes.PostDeleted, {
      postId: newObjectId(),
      userId: newObjectId(),
      mediaIds: [],
    });

    expect(Object.keys(event)).not.toContain('correlationId');
  });
});

describe('eventSchemas', () => {
  test('when post.created and post.deleted are well formed, then both validate', () => {
    expect(eventSchemas['post.created'].validate(envelope(buildPostCreated())).error).toBeUndefined();
    expect(eventSchemas['post.deleted'].validate(envelope(buildPostDeleted())).error).toBeUndefined();
  });

  test('when a producer adds an optional field, then old consumers still accept the event', () => {
    const event = envelope(buildPostCreated());

    const result = eventSchemas['post.created'].validate({
      ...event,
      data: { ...event.data, language: 'en' },
    });

    expect(result.error).toBeUndefined();
  });

  test.each([
    ['postId is not 24-hex', { postId: 'abc' }, ['data', 'postId']],
    ['userId is missing', { userId: undefined }, ['data', 'userId']],
    ['content is empty', { content: '' }, ['data', 'content']],
    ['createdAt is not an ISO date', { createdAt: 'yesterday' }, ['data', 'createdAt']],
    ['mediaIds has 11 ids', { mediaIds: Array.from({ length: 11 }, newObjectId) }, ['data', 'mediaIds']],
    ['a media id is not 24-hex', { mediaIds: ['nope'] }, ['data', 'mediaIds', 0]],
  ])('when post.created data has %s, then it is rejected naming the field', (_case, patch, path) => {
    const event = envelope(buildPostCreated());

    const { error } = eventSchemas['post.created'].validate({ ...event, data: { ...event.data, ...patch } });

    expect(error?.details[0]?.path).toEqual(path);
  });

  test.each([
    ['id is missing', { id: undefined }],
    ['occurredAt is not a date', { occurredAt: 'now' }],
    ['type does not match the schema', { type: 'post.deleted' }],
    ['data is missing', { data: undefined }],
  ])('when the envelope has %s, then it is rejected', (_case, patch) => {
    const { error } = eventSchemas['post.created'].validate({ ...envelope(buildPostCreated()), ...patch });

    expect(error).toBeDefined();
  });
});

describe('parseIntegrationEvent', () => {
  test('when the body is valid, then the typed event comes back', () => {
    const event = envelope(buildPostDeleted());

    expect(parseIntegrationEvent(Buffer.from(JSON.stringify(event)))).toEqual({ ok: true, event });
  });

  test.each([
    ['not JSON', '{nope', 'body is not JSON'],
    ['JSON null', 'null', 'unknown event type'],
    [
      'an unknown type',
      JSON.stringify({ ...envelope(buildPostDeleted()), type: 'post.liked' }),
      'unknown event type',
    ],
    [
      'invalid data',
      JSON.stringify({ ...envelope(buildPostDeleted()), data: { postId: 1 } }),
      'invalid post.deleted',
    ],
  ])('when the body is %s, then it is refused with a reason', (_case, body, reason) => {
    expect(parseIntegrationEvent(Buffer.from(body))).toEqual({
      ok: false,
      reason: expect.stringContaining(reason),
    });
  });
});
