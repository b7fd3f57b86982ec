import Joi from 'joi';

/* eslint-disable no-control-regex -- finding control characters is what these patterns are for */
// C0 controls, DEL and C1 controls: never part of text a person wrote (a NUL, an escape sequence for a terminal,
// cp1252 bytes decoded as latin1). Text of several lines keeps tab and its line breaks.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROL_BUT_TAB_AND_LINE_BREAKS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
/* eslint-enable no-control-regex */

// Half of a UTF-16 surrogate pair on its own. JSON can carry one (`"\ud800"`), UTF-8 cannot: MongoDB would store
// U+FFFD in its place, and the text read back would not be the text that was accepted.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Text a user writes for others to read (a display name, a bio, a post, a comment): trimmed, 1 to `max`
 * characters, well-formed Unicode and free of control characters (`multiline` keeps tab, CR and LF). Everything
 * else people type stays: emoji and their joiners, right-to-left text and its marks. `.allow('')` on the result
 * for a field that may be emptied.
 */
export function userText(options: { max: number; multiline?: boolean }): Joi.StringSchema {
  const control = options.multiline ? CONTROL_BUT_TAB_AND_LINE_BREAKS : CONTROL;
  return Joi.string()
    .trim()
    .min(1)
    .max(options.max)
    .custom((value: string, helpers) => {
      if (control.test(value)) return helpers.error('text.control');
      if (LONE_SURROGATE.test(value)) return helpers.error('text.surrogate');
      return value;
    })
    .messages({
      'text.control': options.multiline
        ? '{{#label}} must not contain control characters other than tab and line breaks'
        : '{{#label}} must not contain control characters or line breaks',
      'text.surrogate': '{{#label}} is not valid Unicode text (an unpaired surrogate)',
    });
}
