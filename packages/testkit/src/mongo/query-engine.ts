import type { Document } from 'bson';
import { Aggregator, Query } from 'mingo';
import type { Options } from 'mingo/types';
import type { Collection } from './collection';
import { CommandError, notImplemented } from './command-error';
import { hintedDocuments, resolveHint } from './hint';
import { normalizeFilter } from './normalize-filter';
import { sortByKeys } from './sort-order';
import { splitTextFilter } from './text-filter';
import { isPlainObject } from './values';

export interface FindSpec {
  filter?: Document;
  sort?: Document;
  skip?: number;
  limit?: number;
  projection?: Document;
  hint?: unknown;
}

/** Where a query runs: the collection when it exists, and its namespace for mongod's error messages. */
export interface QueryTarget {
  coll: Collection | undefined;
  ns: string;
}

export interface MatchResult {
  docs: Document[];
  scores?: Map<Document, number>;
}

/** Where a text score travels through mingo while sorting; no user field can start with this. */
const SCORE_FIELD = '__social_testkit_text_score__';

/** `{$meta: 'textScore'}`; any other `$meta` (searchScore, indexKey, recordId, …) is refused. */
function isMetaTextScore(v: unknown): boolean {
  if (!isPlainObject(v) || !('$meta' in v)) return false;
  if (v.$meta !== 'textScore') throw notImplemented(`{$meta: ${JSON.stringify(v.$meta)}}`);
  return true;
}

const missingTextScore = (): CommandError =>
  new CommandError('Location40218', 'query requires text score metadata, but it is not available');

/** mingo options: `$lookup` resolves other collections of the same database. */
export type CollectionResolver = (name: string) => Document[];

function mingoOptions(resolve?: CollectionResolver): Partial<Options> {
  return resolve ? { collectionResolver: resolve } : {};
}

function isDirectValue(v: unknown): boolean {
  if (v instanceof RegExp) return false;
  return !isPlainObject(v) || !Object.keys(v).some((k) => k.startsWith('$'));
}

/**
 * The documents a filter matches, in natural order (or the hinted index's), with text scores when it has
 * `$text`. `_id` equality (and `$in`) is answered from the hash map, which is what keeps find-by-id O(1).
 */
export function matchDocuments(target: QueryTarget, filter: Document = {}, hint?: unknown): MatchResult {
  const { text, rest } = splitTextFilter(filter);
  const { coll } = target;
  if (!coll) {
    if (text) {
      throw new CommandError(
        'IndexNotFound',
        `text index required for $text query (no such collection '${target.ns}')`,
      );
    }
    return { docs: [] };
  }
  const plan = resolveHint(coll, hint);
  if (plan && text) throw notImplemented('hint together with $text');
  let candidates = plan ? hintedDocuments(coll, plan) : candidatesFor(coll, rest);
  if (!plan && !text && isIdOnly(rest)) return { docs: candidates };

  let scores: Map<Document, number> | undefined;
  if (text) {
    const index = coll.textIndex;
    if (!index) throw new CommandError('IndexNotFound', 'text index required for $text query');
    index.checkPrefix(rest);
    const hits = index.search(candidates, text);
    scores = new Map(hits.map((h) => [h.doc, h.score]));
    candidates = hits.map((h) => h.doc);
  }
  if (Object.keys(rest).length === 0) return { docs: candidates, scores };
  const query = new Query(normalizeFilter(rest), {});
  return { docs: candidates.filter((d) => query.test(d)), scores };
}

const isIdOnly = (filter: Document): boolean => {
  const keys = Object.keys(filter);
  return keys.length === 1 && keys[0] === '_id' && isDirectValue(filter._id);
};

/** Narrowed by `_id` or a single-field index where the filter allows, else every document. */
function candidatesFor(coll: Collection, filter: Document): Document[] {
  const id: unknown = filter._id;
  if ('_id' in filter && isDirectValue(id)) {
    const doc = coll.findById(id);
    return doc ? [doc] : [];
  }
  if (
    isPlainObject(id) &&
    Array.isArray(id.$in) &&
    Object.keys(id).length === 1 &&
    id.$in.every(isDirectValue)
  ) {
    const seen = new Set<Document>();
    for (const value of id.$in) {
      const doc = coll.findById(value);
      if (doc) seen.add(doc);
    }
    return coll.all().filter((d) => seen.has(d));
  }
  return coll.indexedCandidates(filter) ?? coll.all();
}

export function sortDocuments(docs: Document[], sort: Document, scores?: Map<Document, number>): Document[] {
  if (Object.keys(sort).length === 0) return docs;
  const metaKeys = Object.keys(sort).filter((k) => isMetaTextScore(sort[k]));
  if (metaKeys.length === 0) return sortByKeys(docs, sort);
  if (!scores) throw missingTextScore();
  const spec: Document = {};
  // Text score always sorts descending, whatever direction the $meta key carries.
  for (const [key, dir] of Object.entries(sort)) {
    if (metaKeys.includes(key)) spec[SCORE_FIELD] = -1;
    else spec[key] = dir;
  }
  const originals = new Map<Document, Document>();
  const wrapped = docs.map((doc) => {
    const copy = { ...doc, [SCORE_FIELD]: scores.get(doc) ?? 0 };
    originals.set(copy, doc);
    return copy;
  });
  return sortByKeys(wrapped, spec).map((copy) => originals.get(copy) ?? copy);
}

export function projectDocuments(
  docs: Document[],
  projection: Document | undefined,
  scores?: Map<Document, number>,
): Document[] {
  if (!projection || Object.keys(projection).length === 0) return docs;
  const metaKeys = Object.keys(projection).filter((k) => isMetaTextScore(projection[k]));
  const plain: Document = {};
  for (const [key, value] of Object.entries(projection)) if (!metaKeys.includes(key)) plain[key] = value;
  const projected = Object.keys(plain).length
    ? new Query({}, {})
        .find<Document>(docs, plain)
        .all()
        .map((doc, i) => inDocumentOrder(doc, docs[i]))
    : docs;
  if (metaKeys.length === 0) return projected;
  if (!scores) throw missingTextScore();
  return projected.map((doc, i) => {
    const out: Document = { ...doc };
    const original = docs[i];
    for (const key of metaKeys) out[key] = original ? (scores.get(original) ?? 0) : 0;
    return out;
  });
}

/** mongod returns projected fields in stored order (`_id` first); mingo follows the projection's order. */
function inDocumentOrder(projected: Document, original: Document | undefined): Document {
  if (!original) return projected;
  const out: Document = {};
  for (const key of Object.keys(original)) if (key in projected) out[key] = projected[key];
  for (const key of Object.keys(projected)) if (!(key in out)) out[key] = projected[key];
  return out;
}

export function findDocuments(target: QueryTarget, spec: FindSpec): Document[] {
  const { docs, scores } = matchDocuments(target, spec.filter, spec.hint);
  let result = spec.sort ? sortDocuments(docs, spec.sort, scores) : docs;
  const skip = spec.skip ?? 0;
  const limit = spec.limit ?? 0;
  if (skip > 0 || limit > 0) result = result.slice(skip, limit > 0 ? skip + limit : undefined);
  return projectDocuments(result, spec.projection, scores);
}

/**
 * Runs a pipeline through mingo. A leading `$match` with `$text` is answered by the text index, and every
 * `{$meta: 'textScore'}` later in the pipeline reads the score it left on the documents.
 */
export function aggregateDocuments(
  target: QueryTarget,
  pipeline: Document[],
  options: { resolve: CollectionResolver; hint?: unknown },
): Document[] {
  checkStages(pipeline);
  const firstMatch: unknown = pipeline[0]?.$match;
  const { text } = isPlainObject(firstMatch) ? splitTextFilter(firstMatch) : {};
  if (!text || !isPlainObject(firstMatch)) {
    if (hasTextScore(pipeline)) throw missingTextScore();
    const plan = target.coll ? resolveHint(target.coll, options.hint) : undefined;
    const input = target.coll ? (plan ? hintedDocuments(target.coll, plan) : target.coll.all()) : [];
    return runPipeline(pipeline, input, options.resolve);
  }
  const { docs, scores } = matchDocuments(target, firstMatch, options.hint);
  const scored = docs.map((doc) => ({ ...doc, [SCORE_FIELD]: scores?.get(doc) ?? 0 }));
  const rest = pipeline.slice(1).map((stage) => replaceMeta(stage) as Document);
  const out = runPipeline(rest, scored, options.resolve);
  return out.map((doc) => {
    if (!(SCORE_FIELD in doc)) return doc;
    const { [SCORE_FIELD]: _score, ...clean } = doc;
    return clean;
  });
}

/**
 * mingo runs the stages, except a top-level `$sort`, which sorts by mongod's rules (array fields by their
 * smallest or largest element, types in BSON order) where mingo would compare whole arrays.
 */
function runPipeline(pipeline: Document[], input: Document[], resolve: CollectionResolver): Document[] {
  let docs = input;
  let segment: Document[] = [];
  const flush = (): void => {
    if (segment.length) docs = new Aggregator(segment, mingoOptions(resolve)).run(docs) as Document[];
    segment = [];
  };
  for (const stage of pipeline) {
    const sort: unknown = stage.$sort;
    if (Object.keys(stage).length === 1 && isPlainObject(sort) && Object.keys(sort).length > 0) {
      flush();
      docs = sortByKeys(docs, sort);
    } else {
      const match: unknown = stage.$match;
      segment.push(isPlainObject(match) ? { ...stage, $match: normalizeFilter(match) } : stage);
    }
  }
  flush();
  return docs;
}

/** mongod's own stage checks that mingo does not make (or makes with other codes). */
function checkStages(pipeline: Document[]): void {
  for (const [i, stage] of pipeline.entries()) {
    const match: unknown = stage.$match;
    if (i > 0 && isPlainObject(match) && splitTextFilter(match).text) {
      throw new CommandError(
        'Location17313',
        '$match with $text is only allowed as the first pipeline stage',
      );
    }
    checkCount(stage, '$skip', 'Location5107200', false);
    checkCount(stage, '$limit', 'Location5107201', true);
  }
}

function checkCount(
  stage: Document,
  name: '$skip' | '$limit',
  codeName: 'Location5107200' | 'Location5107201',
  positive: boolean,
): void {
  if (!(name in stage)) return;
  const value: unknown = stage[name];
  if (typeof value === 'number' && value < 0) {
    throw new CommandError(
      codeName,
      `invalid argument to ${name} stage: Expected a non-negative number in: ${name}: ${value}`,
    );
  }
  if (positive && value === 0) throw new CommandError('Location15958', 'the limit must be positive');
}

function hasTextScore(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasTextScore);
  if (!isPlainObject(value)) return false;
  return isMetaTextScore(value) || Object.values(value).some(hasTextScore);
}

function replaceMeta(value: unknown, inSort = false): unknown {
  if (isMetaTextScore(value)) return inSort ? -1 : `$${SCORE_FIELD}`;
  if (Array.isArray(value)) return value.map((v) => replaceMeta(v));
  if (!isPlainObject(value)) return value;
  const out: Document = {};
  for (const [key, child] of Object.entries(value)) {
    if (key === '$sort' && isPlainObject(child)) {
      const sort: Document = {};
      for (const [field, dir] of Object.entries(child))
        sort[isMetaTextScore(dir) ? SCORE_FIELD : field] = replaceMeta(dir, true);
      out[key] = sort;
    } else {
      out[key] = replaceMeta(child);
    }
  }
  return out;
}
