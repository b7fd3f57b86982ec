import type { Document } from 'bson';
import { Query } from 'mingo';
import type { Collection } from './collection';
import { CommandError, notImplemented } from './command-error';
import { isTextKey, type IndexSpec } from './index-spec';
import { sortByKeys } from './sort-order';
import { isPlainObject, valuesAtPath } from './values';

/** What a hint makes the query planner do: scan in natural order (either way) or walk one index. */
export type HintPlan = { kind: 'natural'; direction: 1 | -1 } | { kind: 'index'; spec: IndexSpec };

/**
 * Resolves a `hint` (an index name, a key pattern or `{$natural: ±1}`) against a collection's indexes, with
 * mongod's error for one that names no index. mongod only plans against existing collections, so the caller
 * skips this when the collection does not exist (a bogus hint on a missing collection is no error there).
 */
export function resolveHint(coll: Collection, hint: unknown): HintPlan | undefined {
  if (hint === undefined || hint === null) return undefined;
  if (typeof hint !== 'string' && !isPlainObject(hint)) {
    throw new CommandError('FailedToParse', 'hint must be either a string or nested object');
  }
  if (isPlainObject(hint)) {
    const keys = Object.keys(hint);
    if (keys.length === 0) return undefined;
    if (keys[0] === '$natural') return { kind: 'natural', direction: Number(hint.$natural) < 0 ? -1 : 1 };
  }
  const spec = coll
    .listIndexes()
    .find((index) =>
      typeof hint === 'string' ? index.name === hint : JSON.stringify(index.key) === JSON.stringify(hint),
    );
  if (!spec) throw new CommandError('BadValue', 'hint provided does not correspond to an existing index');
  if (isTextKey(spec.key)) throw notImplemented('hinting a text index');
  return { kind: 'index', spec };
}

/**
 * The documents in the order a hinted scan returns them. An index scan visits only the documents the index
 * holds, so a sparse or partial index leaves some out, exactly as a hinted query on mongod does.
 */
export function hintedDocuments(coll: Collection, plan: HintPlan): Document[] {
  const all = coll.all();
  if (plan.kind === 'natural') return plan.direction === 1 ? all : all.reverse();
  const { spec } = plan;
  const fields = Object.keys(spec.key);
  const partial = spec.partialFilterExpression ? new Query(spec.partialFilterExpression, {}) : undefined;
  const held = all.filter(
    (doc) =>
      (!spec.sparse || fields.some((f) => valuesAtPath(doc, f).some((v) => v !== undefined))) &&
      (!partial || partial.test(doc)),
  );
  return sortByKeys(held, spec.key);
}
