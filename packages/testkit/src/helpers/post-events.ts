import { randomUUID } from 'node:crypto';
import {
  EventTypes,
  newIntegrationEvent,
  type OutgoingEvent,
  type PostCreatedData,
  type PostDeletedData,
} from '@social/common/events';
import { newObjectId } from './names';

type PostCreated = OutgoingEvent<typeof EventTypes.PostCreated, PostCreatedData>;
type PostDeleted = OutgoingEvent<typeof EventTypes.PostDeleted, PostDeletedData>;

/** The message a request would carry: its own correlation id unless the test names one. */
type EventMeta = { correlationId?: string };

/** A valid post.created as post-service publishes it; a test overrides only the fields it is about. */
export const buildPostCreated = (data: Partial<PostCreatedData> = {}, meta: EventMeta = {}): PostCreated =>
  newIntegrationEvent(
    EventTypes.PostCreated,
    {
      postId: newObjectId(),
      userId: newObjectId(),
      content: `post ${randomUUID()}`,
      mediaIds: [],
      createdAt: new Date().toISOString(),
      ...data,
    },
    { correlationId: randomUUID(), ...meta },
  );

/** A valid post.deleted as post-service publishes it; a test overrides only the fields it is about. */
export const buildPostDeleted = (data: Partial<PostDeletedData> = {}, meta: EventMeta = {}): PostDeleted =>
  newIntegrationEvent(
    EventTypes.PostDeleted,
    { postId: newObjectId(), userId: newObjectId(), mediaIds: [], ...data },
    { correlationId: randomUUID(), ...meta },
  );
