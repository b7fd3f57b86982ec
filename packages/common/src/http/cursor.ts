import { createHmac, createSecretKey, hkdfSync, timingSafeEqual } from 'node:crypto';
import Joi from 'joi';
import { ValidationError } from './errors';

/** Where a list page ends: the sort key of its last item (newest-first lists sort by time, then id). */
export interface CursorPosition {
  /** Milliseconds since the epoch of the last item's sort time. */
  t: number;
  /** The last item's id: ties in time are broken by id, so no item is skipped or repeated. */
  id: string;
}

/**
 * Opaque, signed cursors for keyset-paginated lists. A cursor names the list it belongs to (`scope`, e.g.
 * `followers:<userId>`), so one from another list, a tampered one or a truncated one is a 400, never a
 * query on attacker-chosen values.
 */
export interface CursorCodec {
  encode(scope: string, position: CursorPosition): string;
  /** The position, or a ValidationError naming `query.cursor`. */
  decode(scope: string, cursor: string): CursorPosition;
}

const positionSchema = Joi.object<CursorPosition, true>({
  t: Joi.number().integer().min(0).max(8.64e15).required(),
  id: Joi.string()
    .pattern(/^[0-9a-f]{24}$/)
    .required(),
});

const invalid = (): ValidationError =>
  new ValidationError('Invalid cursor', [
    { path: 'query.cursor', reason: 'must be a nextCursor this list returned' },
  ]);

/** `secret` is a server secret (the JWT key will do); the signing key is derived from it, never used as is. */
export function createCursorCodec(secret: string): CursorCodec {
  // A KeyObject, so each HMAC starts from the imported key instead of importing the bytes again.
  const key = createSecretKey(
    Buffer.from(hkdfSync('sha256', secret, 'social-cursor', 'list cursors v1', 32)),
  );
  const sign = (payload: string): Buffer =>
    createHmac('sha256', key).update(payload).digest().subarray(0, 16);
  return {
    encode(scope, position) {
      const payload = Buffer.from(JSON.stringify({ s: scope, t: position.t, i: position.id })).toString(
        'base64url',
      );
      return `${payload}.${sign(payload).toString('base64url')}`;
    },
    decode(scope, cursor) {
      const [payload, signature, ...rest] = cursor.split('.');
      if (!payload || !signature || rest.length > 0) throw invalid();
      const given = Buffer.from(signature, 'base64url');
      const expected = sign(payload);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
      let body: unknown;
      try {
        body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      } catch {
        throw invalid();
      }
      const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
      if (fields.s !== scope) throw invalid();
      const { value, error } = positionSchema.validate({ t: fields.t, id: fields.i });
      if (error) throw invalid();
      return value;
    },
  };
}

/** `?cursor&limit` of a cursor-paginated list: limit 1-50, default 20. */
export const cursorPagination = () => ({
  cursor: Joi.string().max(512),
  limit: Joi.number().integer().min(1).max(50).default(20),
});
export interface CursorQuery {
  cursor?: string;
  limit: number;
}

/** One page of a cursor-paginated list; `nextCursor` is null at the end. */
export interface CursorPage<T> {
  items: T[];
  nextCursor: string | null;
}
