import type { Document } from 'bson';
import { CommandError } from './command-error';
import { isPlainObject } from './values';

/** An index as listIndexes reports it; options we do not interpret are kept so they round-trip. */
export interface IndexSpec extends Document {
  v: number;
  key: Document;
  name: string;
  unique?: boolean;
  sparse?: boolean;
  expireAfterSeconds?: number;
  partialFilterExpression?: Document;
  weights?: Document;
}

export const ID_INDEX: IndexSpec = { v: 2, key: { _id: 1 }, name: '_id_' };

export const isTextKey = (key: Document): boolean =>
  Object.values(key).some((v) => v === 'text') || '_fts' in key;

/** The name the driver would generate, e.g. `email_1` or `content_text`. */
export function defaultIndexName(key: Document): string {
  return Object.entries(key)
    .map(([field, dir]) => `${field}_${String(dir)}`)
    .join('_');
}

/**
 * Normalises a createIndexes entry. Text indexes are stored the way mongod lists them
 * (`key: {_fts: 'text', _ftsx: 1}` plus weights), non-text fields of a compound text index included.
 */
export function normalizeIndexSpec(raw: unknown): IndexSpec {
  if (!isPlainObject(raw) || !isPlainObject(raw.key) || Object.keys(raw.key).length === 0) {
    throw new CommandError('FailedToParse', 'index specification must have a non-empty key document');
  }
  const name = typeof raw.name === 'string' && raw.name ? raw.name : defaultIndexName(raw.key);
  // Field order as mongod lists it: v, key, name, then options.
  const { v: _v, key: _key, name: _name, ...options } = raw;
  const spec: IndexSpec = { v: 2, key: raw.key, name, ...options };
  if (typeof raw.expireAfterSeconds === 'number' && !Number.isFinite(raw.expireAfterSeconds)) {
    throw new CommandError('InvalidOptions', 'expireAfterSeconds must be a finite number');
  }
  if (!isTextKey(raw.key) || '_fts' in raw.key) return spec;

  const weights: Document = isPlainObject(raw.weights) ? { ...raw.weights } : {};
  const key: Document = {};
  let textPlaced = false;
  for (const [field, dir] of Object.entries(raw.key)) {
    if (dir === 'text') {
      if (!(field in weights)) weights[field] = 1;
      if (!textPlaced) {
        key._fts = 'text';
        key._ftsx = 1;
        textPlaced = true;
      }
    } else {
      key[field] = dir;
    }
  }
  return {
    ...spec,
    key,
    weights,
    default_language: typeof raw.default_language === 'string' ? raw.default_language : 'english',
    language_override: typeof raw.language_override === 'string' ? raw.language_override : 'language',
    textIndexVersion: 3,
  };
}

const OPTIONS_THAT_MATTER = ['unique', 'sparse', 'expireAfterSeconds', 'partialFilterExpression', 'weights'];

/** True when two specs are the same index (createIndexes is then a no-op, as on mongod). */
export function sameIndex(a: IndexSpec, b: IndexSpec): boolean {
  if (JSON.stringify(a.key) !== JSON.stringify(b.key)) return false;
  return OPTIONS_THAT_MATTER.every(
    (opt) =>
      JSON.stringify(a[opt] ?? (opt === 'unique' || opt === 'sparse' ? false : null)) ===
      JSON.stringify(b[opt] ?? (opt === 'unique' || opt === 'sparse' ? false : null)),
  );
}
