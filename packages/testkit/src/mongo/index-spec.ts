import type { Document } from 'bson';
import { CommandError, notImplemented } from './command-error';
import { rejectCollation } from './collation';
import { resolveLanguage } from './text-language';
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

/** Options this server implements, plus `background`, `ns` and `dropDups`, which mongod 7 ignores too. */
const HONOURED_OPTIONS = new Set([
  'v',
  'key',
  'name',
  'unique',
  'sparse',
  'expireAfterSeconds',
  'partialFilterExpression',
  'weights',
  'default_language',
  'language_override',
  'textIndexVersion',
  'collation',
  'background',
  'ns',
  'dropDups',
]);

/** Index options mongod 7 accepts that this server does not implement. */
const REFUSED_OPTIONS = new Set([
  'hidden',
  'storageEngine',
  '2dsphereIndexVersion',
  'bits',
  'min',
  'max',
  'wildcardProjection',
  'coarsestIndexedLevel',
  'finestIndexedLevel',
  'clustered',
  'prepareUnique',
  'columnstoreProjection',
  'columnstoreCompressor',
  'originalSpec',
]);

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
  checkOptions(raw);
  checkKey(raw.key);
  rejectCollation(raw.collation);
  const name = typeof raw.name === 'string' && raw.name ? raw.name : defaultIndexName(raw.key);
  // Field order as mongod lists it: v, key, name, then options; the ignored legacy fields are dropped.
  const { v: _v, key: _key, name: _name, ns: _ns, dropDups: _dropDups, collation: _c, ...options } = raw;
  const spec: IndexSpec = { v: 2, key: raw.key, name, ...options };
  if (typeof raw.expireAfterSeconds === 'number' && !Number.isFinite(raw.expireAfterSeconds)) {
    throw new CommandError('InvalidOptions', 'expireAfterSeconds must be a finite number');
  }
  if (!isTextKey(raw.key) || '_fts' in raw.key) return spec;
  // mongod uses such an index only for queries that imply its filter; that planning is not modelled here.
  if (raw.partialFilterExpression !== undefined) throw notImplemented('a partial text index');

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
  return { ...spec, key, weights, ...textOptions(raw), textIndexVersion: 3 };
}

function checkOptions(raw: Document): void {
  for (const option of Object.keys(raw)) {
    if (HONOURED_OPTIONS.has(option)) continue;
    if (REFUSED_OPTIONS.has(option)) throw notImplemented(`the index option '${option}'`);
    throw new CommandError(
      'InvalidIndexSpecificationOption',
      `The field '${option}' is not valid for an index specification. Specification: ${JSON.stringify(raw)}`,
    );
  }
}

/** Ascending, descending and text keys are implemented; hashed, geo and wildcard indexes are not. */
function checkKey(key: Document): void {
  for (const [field, dir] of Object.entries(key)) {
    if (field === '$**' || field.endsWith('.$**')) throw notImplemented('wildcard indexes');
    if (typeof dir === 'string' && dir !== 'text') throw notImplemented(`'${dir}' indexes`);
    if (typeof dir === 'number' && dir === 0) {
      throw new CommandError(
        'CannotCreateIndex',
        "Values in the index key pattern can't be 0. Only numbers > 0, numbers < 0, and strings are allowed.",
      );
    }
  }
}

/** default_language and language_override as mongod's FTSSpec::fixSpec checks and lists them. */
function textOptions(raw: Document): Document {
  const language: unknown = raw.default_language ?? 'english';
  if (typeof language !== 'string') {
    throw new CommandError('CannotCreateIndex', 'default_language needs a string type');
  }
  resolveLanguage(language, () => new CommandError('CannotCreateIndex', 'default_language is not valid'));
  const override: unknown = raw.language_override ?? 'language';
  if (typeof override !== 'string') {
    throw new CommandError('CannotCreateIndex', 'language_override must be a string');
  }
  if (!override || override.startsWith('$') || override.includes('.')) {
    throw new CommandError('CannotCreateIndex', 'language_override is not valid');
  }
  return { default_language: language, language_override: override };
}

const OPTIONS_THAT_MATTER = [
  'unique',
  'sparse',
  'expireAfterSeconds',
  'partialFilterExpression',
  'weights',
  'default_language',
  'language_override',
];

/** True when two specs are the same index (createIndexes is then a no-op, as on mongod). */
export function sameIndex(a: IndexSpec, b: IndexSpec): boolean {
  if (JSON.stringify(a.key) !== JSON.stringify(b.key)) return false;
  return OPTIONS_THAT_MATTER.every(
    (opt) =>
      JSON.stringify(a[opt] ?? (opt === 'unique' || opt === 'sparse' ? false : null)) ===
      JSON.stringify(b[opt] ?? (opt === 'unique' || opt === 'sparse' ? false : null)),
  );
}
