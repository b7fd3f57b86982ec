import Joi from 'joi';

/**
 * Limits and id rules shared by the services' APIs and the events that carry the same data, stated once: a
 * post that an API accepts is always a valid post.created.
 */
export const POST_CONTENT_MAX_LENGTH = 5000;
export const MAX_MEDIA_PER_POST = 10;

/**
 * A 24-hex MongoDB id. One rule, not `.hex().length(24)`: with `abortEarly: false` those two rules each reported
 * the same message for an id like `zz`.
 */
export const objectId = (): Joi.StringSchema =>
  Joi.string()
    .pattern(/^[0-9a-f]{24}$/i)
    .messages({ '*': '{#label} must be a 24-character hex id' });

/** Profile limits: what identity-service accepts is what user.* events may carry. */
export const USERNAME_PATTERN = /^[A-Za-z0-9_.-]+$/;
export const USERNAME_MIN_LENGTH = 3;
export const USERNAME_MAX_LENGTH = 30;
export const DISPLAY_NAME_MAX_LENGTH = 50;
export const BIO_MAX_LENGTH = 160;
