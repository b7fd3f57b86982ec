import { randomBytes, randomUUID } from 'node:crypto';
import {
  EventTypes,
  newIntegrationEvent,
  type OutgoingEvent,
  type PostCreatedData,
  type PostDeletedData,
} from '../../src/events';

export const objectIdHex = (): string => randomBytes(12).toString('hex');

export const buildPostCreated = (
  data: Partial<PostCreatedData> = {},
  correlationId: string = randomUUID(),
): OutgoingEvent<typeof EventTypes.PostCreated, PostCreatedData> =>
  newIntegrationEvent(
    EventTypes.PostCreated,
    {
      postId: objectIdHex(),
      userId: objectIdHex(),
      content: `post ${randomUUID()}`,
      mediaIds: [],
      createdAt: new Date().toISOString(),
      ...data,
    },
    { correlationId },
  );

export const buildPostDeleted = (
  data: Partial<PostDeletedData> = {},
  correlationId: string = randomUUID(),
): OutgoingEvent<typeof EventTypes.PostDeleted, PostDeletedData> =>
  newIntegrationEvent(
    EventTypes.PostDeleted,
    { postId: objectIdHex(), userId: objectIdHex(), mediaIds: [objectIdHex()], ...data },
    { correlationId },
  );
