import type { Document } from 'bson';
import { Aggregator, Query } from 'mingo';
import type { Options } from 'mingo/types';
import { CommandError } from './command-error';
import type { Collection } from './collection';
import { isPlainObject } from './values';

export interface FindSpec {
  filter?: Document;
  sort?: Document;
  skip?: number;
  limit?: number;
  projection?: Document;
}

/** Where a text score travels through mingo while sorting; no user field can start with this. */
const SCORE_FIELD = '__social_testkit_text_score__';

const isMetaTextScore = (v: unknown): boolean => isPlainObject(v) && v.$meta === 'textScore';

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
 * The documents a filter matches, in natural order, with text scores when it has `$text`.
 * `_id` equality (and `$in`) is answered from the hash map, which is what keeps find-by-id O(1).
 */
export function matchDocuments(
  coll: Collection | undefined,
  filter: Document = {},
): { docs: Document[]; scores?: Map<Document, number> } {
  if (!coll) return { docs: [] };
  const { $text, ...rest } = filter;
  let candidates: Document[];
  const id: unknown = rest._id;
  if ('_id' in rest && isDirectValue(id)) {
    const doc = coll.findById(id);
    candidates = doc ? [doc] : [];
    if (Object.keys(rest).length === 1 && $text === undefined) return { docs: candidates };
  } else if (
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
    candidates = coll.all().filter((d) => seen.has(d));
  } else {
    candidates = coll.indexedCandidates(rest) ?? coll.all();
  }

  let scores: Map<Document, number> | undefined;
  if ($text !== undefined) {
    const index = coll.textIndex;
    if (!index) throw new CommandError('IndexNotFound', 'text index required for $text query');
    const hits = index.search(candidates, $text);
    scores = new Map(hits.map((h) => [h.doc, h.score]));
    candidates = hits.map((h) => h.doc);
  }
  if (Object.keys(rest).length === 0) return { docs: candidates, scores };
  const query = new Query(rest, {});
  return { docs: candidates.filter((d) => query.test(d)), scores };
}

export function sortDocuments(docs: Document[], sort: Document, scores?: Map<Document, number>): Document[] {
  if (Object.keys(sort).length === 0) return docs;
  const metaKeys = Object.keys(sort).filter((k) => isMetaTextScore(sort[k]));
  if (metaKeys.length === 0) return new Query({}, {}).find<Document>(docs).sort(sort).all();
  if (!scores)
    throw new CommandError('BadValue', 'query requires text score metadata, but it is not available');
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
  return new Query({}, {})
    .find<Document>(wrapped)
    .sort(spec)
    .all()
    .map((copy) => originals.get(copy) ?? copy);
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
  if (!scores)
    throw new CommandError('BadValue', 'query requires text score metadata, but it is not available');
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

export function findDocuments(coll: Collection | undefined, spec: FindSpec): Document[] {
  const { docs, scores } = matchDocuments(coll, spec.filter);
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
  coll: Collection | undefined,
  pipeline: Document[],
  resolve: CollectionResolver,
): Document[] {
  const first = pipeline[0];
  const firstMatch: unknown = first?.$match;
  if (!isPlainObject(firstMatch) || firstMatch.$text === undefined) {
    return new Aggregator(pipeline, mingoOptions(resolve)).run(coll?.all() ?? []) as Document[];
  }
  const { docs, scores } = matchDocuments(coll, firstMatch);
  const scored = docs.map((doc) => ({ ...doc, [SCORE_FIELD]: scores?.get(doc) ?? 0 }));
  const rest = pipeline.slice(1).map((stage) => replaceMeta(stage) as Document);
  const out = new Aggregator(rest, mingoOptions(resolve)).run(scored) as Document[];
  return out.map((doc) => {
    if (!(SCORE_FIELD in doc)) return doc;
    const { [SCORE_FIELD]: _score, ...clean } = doc;
    return clean;
  });
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
