import { randomBytes, randomUUID } from 'node:crypto';
import {
  EventTypes,
  newIntegrationEvent,
  type OutgoingEvent,
  type PostCreatedData,
  type PostDeletedData,
} from '@social/common/events';

export const newObjectId = (): string => randomBytes(12).toString('hex');

/** A word no other test uses, made of letters only so the English stemmer leaves a searchable token. */
export const uniqueWord = (): string =>
  `zq${randomUUID()
    .replace(/[^a-f]/g, '')
    .slice(0, 10)}x`;

export const buildPostCreated = (
  data: Partial<PostCreatedData> = {},
  meta: { correlationId?: string } = {},
): OutgoingEvent<typeof EventTypes.PostCreated, PostCreatedData> =>
  newIntegrationEvent(
    EventTypes.PostCreated,
    {
      postId: newObjectId(),
      userId: newObjectId(),
      content: `post ${uniqueWord()}`,
      mediaIds: [],
      createdAt: new Date().toISOString(),
      ...data,
    },
    meta,
  );

export const buildPostDeleted = (
  data: Partial<PostDeletedData> & { postId: string },
): OutgoingEvent<typeof EventTypes.PostDeleted, PostDeletedData> =>
  newIntegrationEvent(EventTypes.PostDeleted, { userId: newObjectId(), mediaIds: [], ...data });
