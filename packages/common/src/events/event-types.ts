/** The one topic exchange every service publishes to; routing key = event type. */
export const EVENTS_EXCHANGE = 'facebook_events';

/** Routing keys are `<entity>.<past-verb>`: an event states a fact that already happened. */
export const EventTypes = {
  PostCreated: 'post.created',
  PostDeleted: 'post.deleted',
  UserRegistered: 'user.registered',
  UserUpdated: 'user.updated',
  UserDeleted: 'user.deleted',
  UserFollowed: 'user.followed',
  UserUnfollowed: 'user.unfollowed',
} as const;
export type EventType = (typeof EventTypes)[keyof typeof EventTypes];

const eventTypeValues: ReadonlySet<string> = new Set(Object.values(EventTypes));

export const isEventType = (value: unknown): value is EventType =>
  typeof value === 'string' && eventTypeValues.has(value);

/** The message body. Transport metadata (correlationId, appId) travels in AMQP properties, not here. */
export interface IntegrationEvent<T extends string = string, D = unknown> {
  id: string;
  type: T;
  occurredAt: string;
  data: D;
}

export interface PostCreatedData {
  postId: string;
  userId: string;
  content: string;
  mediaIds: string[];
  createdAt: string;
}

export interface PostDeletedData {
  postId: string;
  userId: string;
  mediaIds: string[];
}

/** A user's public profile, as other services show authors (never the email). */
export interface UserProfileData {
  userId: string;
  username: string;
  displayName: string;
  avatarMediaId: string | null;
}

export interface UserRegisteredData extends UserProfileData {
  createdAt: string;
}

export type UserUpdatedData = UserProfileData;

export interface UserDeletedData {
  userId: string;
}

/** One follow edge: `followerId` follows (or stopped following) `followeeId`, at `at`. */
export interface FollowData {
  followerId: string;
  followeeId: string;
  at: string;
}

/** Payload per event type; add a type here, in EventTypes and in eventSchemas together. */
export interface EventDataMap {
  [EventTypes.PostCreated]: PostCreatedData;
  [EventTypes.PostDeleted]: PostDeletedData;
  [EventTypes.UserRegistered]: UserRegisteredData;
  [EventTypes.UserUpdated]: UserUpdatedData;
  [EventTypes.UserDeleted]: UserDeletedData;
  [EventTypes.UserFollowed]: FollowData;
  [EventTypes.UserUnfollowed]: FollowData;
}

export type EventData<T extends EventType> = EventDataMap[T];
export type EventOf<T extends EventType> = IntegrationEvent<T, EventData<T>>;

export type PostCreatedEvent = EventOf<typeof EventTypes.PostCreated>;
export type PostDeletedEvent = EventOf<typeof EventTypes.PostDeleted>;
export type UserRegisteredEvent = EventOf<typeof EventTypes.UserRegistered>;
export type UserUpdatedEvent = EventOf<typeof EventTypes.UserUpdated>;
export type UserDeletedEvent = EventOf<typeof EventTypes.UserDeleted>;
export type UserFollowedEvent = EventOf<typeof EventTypes.UserFollowed>;
export type UserUnfollowedEvent = EventOf<typeof EventTypes.UserUnfollowed>;

/** Any known event, as a discriminated union on `type`. */
export type KnownIntegrationEvent = { [K in EventType]: EventOf<K> }[EventType];
