import Joi from 'joi';
import {
  DISPLAY_NAME_MAX_LENGTH,
  MAX_MEDIA_PER_POST,
  objectId,
  POST_CONTENT_MAX_LENGTH,
  USERNAME_MAX_LENGTH,
  USERNAME_MIN_LENGTH,
  USERNAME_PATTERN,
} from './contract';
import { EventTypes, isEventType, type EventType, type KnownIntegrationEvent } from './event-types';

const mediaIds = Joi.array().items(objectId()).max(MAX_MEDIA_PER_POST);
const profile = {
  userId: objectId().required(),
  username: Joi.string()
    .pattern(USERNAME_PATTERN)
    .min(USERNAME_MIN_LENGTH)
    .max(USERNAME_MAX_LENGTH)
    .required(),
  displayName: Joi.string().min(1).max(DISPLAY_NAME_MAX_LENGTH).required(),
  avatarMediaId: objectId().allow(null).required(),
};
const follow = Joi.object({
  followerId: objectId().required(),
  followeeId: objectId().required(),
  at: Joi.string().isoDate().required(),
}).unknown(true);

// Unknown keys are allowed so producers can evolve an event by adding optional fields
// without old consumers dead-lettering the new messages.
const envelope = <T extends EventType>(type: T, data: Joi.ObjectSchema): Joi.ObjectSchema =>
  Joi.object({
    id: Joi.string().min(1).max(128).required(),
    type: Joi.string().valid(type).required(),
    occurredAt: Joi.string().isoDate().required(),
    data: data.required(),
  }).unknown(true);

export const eventSchemas: Record<EventType, Joi.ObjectSchema> = {
  [EventTypes.PostCreated]: envelope(
    EventTypes.PostCreated,
    Joi.object({
      postId: objectId().required(),
      userId: objectId().required(),
      content: Joi.string().min(1).max(POST_CONTENT_MAX_LENGTH).required(),
      mediaIds: mediaIds.required(),
      createdAt: Joi.string().isoDate().required(),
    }).unknown(true),
  ),
  [EventTypes.PostDeleted]: envelope(
    EventTypes.PostDeleted,
    Joi.object({
      postId: objectId().required(),
      userId: objectId().required(),
      mediaIds: mediaIds.required(),
    }).unknown(true),
  ),
  [EventTypes.UserRegistered]: envelope(
    EventTypes.UserRegistered,
    Joi.object({ ...profile, createdAt: Joi.string().isoDate().required() }).unknown(true),
  ),
  [EventTypes.UserUpdated]: envelope(EventTypes.UserUpdated, Joi.object(profile).unknown(true)),
  [EventTypes.UserDeleted]: envelope(
    EventTypes.UserDeleted,
    Joi.object({ userId: objectId().required() }).unknown(true),
  ),
  [EventTypes.UserFollowed]: envelope(EventTypes.UserFollowed, follow),
  [EventTypes.UserUnfollowed]: envelope(EventTypes.UserUnfollowed, follow),
};

export type ParseResult = { ok: true; event: KnownIntegrationEvent } | { ok: false; reason: string };

/** Turns untrusted message bytes into a known, schema-valid event, or says why not. */
export function parseIntegrationEvent(content: Buffer): ParseResult {
  let body: unknown;
  try {
    body = JSON.parse(content.toString('utf8'));
  } catch {
    return { ok: false, reason: 'body is not JSON' };
  }
  const type: unknown = typeof body === 'object' && body !== null && 'type' in body ? body.type : undefined;
  if (!isEventType(type)) return { ok: false, reason: 'unknown event type' };
  const { error } = eventSchemas[type].validate(body, { convert: false, abortEarly: false });
  if (error)
    return { ok: false, reason: `invalid ${type}: ${error.details.map((d) => d.message).join('; ')}` };
  // joi has just checked the shape that KnownIntegrationEvent describes for this type.
  return { ok: true, event: body as KnownIntegrationEvent };
}
