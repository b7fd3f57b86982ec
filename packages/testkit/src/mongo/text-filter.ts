import type { Document } from 'bson';
import { CommandError, notImplemented } from './command-error';
import { validateTextQuery, type TextQuery } from './text-query';
import { isPlainObject } from './values';

export interface SplitFilter {
  text?: TextQuery;
  /** The filter without its `$text` clause, for mingo (which has no `$text`). */
  rest: Document;
}

/**
 * Takes the `$text` clause out of a filter. mongod accepts it at the top level or inside `$and` (at any depth of
 * `$and`s), at most once, never under `$nor`; under `$or` it needs every other branch indexed, which this server
 * does not model, so that is refused rather than answered differently.
 */
export function splitTextFilter(filter: Document): SplitFilter {
  if (!('$text' in filter) && !('$and' in filter) && !('$or' in filter) && !('$nor' in filter)) {
    return { rest: filter };
  }
  const found: unknown[] = [];
  const rest = strip(filter, found);
  if (found.length > 1) throw new CommandError('BadValue', 'Too many text expressions');
  return found.length ? { text: validateTextQuery(found[0]), rest } : { rest };
}

function strip(filter: Document, found: unknown[]): Document {
  const out: Document = {};
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$text') {
      found.push(value);
    } else if (key === '$and' && Array.isArray(value)) {
      const clauses = value.map((clause: unknown) => (isPlainObject(clause) ? strip(clause, found) : clause));
      const kept = clauses.filter((clause) => !isPlainObject(clause) || Object.keys(clause).length > 0);
      // Only an $and that held nothing but $text disappears; an $and the client sent empty stays an error.
      if (kept.length > 0 || value.length === 0) out[key] = kept;
    } else {
      if ((key === '$or' || key === '$nor') && containsText(value)) {
        if (key === '$nor') throw new CommandError('BadValue', 'text expression not allowed in nor');
        throw notImplemented('$text inside $or');
      }
      out[key] = value;
    }
  }
  return out;
}

function containsText(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(containsText);
  if (!isPlainObject(value)) return false;
  return Object.entries(value).some(
    ([key, child]) => key === '$text' || (key.startsWith('$') && containsText(child)),
  );
}
