import { isUtf8 } from 'node:buffer';
import express, { type RequestHandler } from 'express';

/** body-parser's error type for a UTF-8 body that is not valid UTF-8 (see the error handler). */
export const INVALID_UTF8 = 'entity.utf8.invalid';

/**
 * Refuses a body declared UTF-8 (the default) whose bytes are not. body-parser would decode them to U+FFFD and
 * the text stored would not be the text sent.
 */
const requireUtf8 = (_req: unknown, _res: unknown, buf: Buffer, encoding: string): void => {
  if (encoding === 'utf-8' && !isUtf8(buf)) {
    throw Object.assign(new Error('request body is not valid UTF-8'), { type: INVALID_UTF8 });
  }
};

/** JSON bodies only, up to `limit`; bad JSON and oversized bodies become 400/413 in the error handler. */
export const jsonBody = (limit = '100kb'): RequestHandler =>
  express.json({ limit, strict: true, verify: requireUtf8 });
