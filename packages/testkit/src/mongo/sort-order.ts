import { ObjectId, type Document } from 'bson';
import { CommandError } from './command-error';
import { isPlainObject } from './values';

/** The key an empty array sorts by: below null, as mongod sorts `[]` before a missing field. */
const EMPTY_ARRAY = Symbol('empty array');

/** BSON's comparison order of types (bsonobj.cpp canonicalizeBSONType): numbers of every width are one type. */
function typeRank(value: unknown): number {
  if (value === EMPTY_ARRAY) return 0;
  if (value === null || value === undefined) return 2;
  switch (typeof value) {
    case 'number':
    case 'bigint':
      return 3;
    case 'string':
      return 4;
    case 'boolean':
      return 9;
    default:
      break;
  }
  if (Array.isArray(value)) return 6;
  if (value instanceof Date) return 10;
  if (value instanceof RegExp) return 12;
  if (value instanceof ObjectId) return 8;
  if (isPlainObject(value)) return 5;
  switch (bsonType(value)) {
    case 'MinKey':
      return 1;
    case 'Long':
    case 'Int32':
    case 'Double':
    case 'Decimal128':
      return 3;
    case 'BSONSymbol':
      return 4;
    case 'Binary':
      return 7;
    case 'ObjectId':
      return 8;
    case 'Timestamp':
      return 11;
    case 'BSONRegExp':
      return 12;
    case 'Code':
      return 13;
    case 'MaxKey':
      return 14;
    default:
      return 5;
  }
}

function bsonType(value: unknown): string | undefined {
  const tag: unknown = (value as { _bsontype?: unknown } | null)?._bsontype;
  return typeof tag === 'string' ? tag : undefined;
}

const sign = (n: number): number => (n < 0 ? -1 : n > 0 ? 1 : 0);

/** Code point order, which is the UTF-8 byte order mongod compares strings in (UTF-16 units differ). */
function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i += 1) {
    const x = a.codePointAt(i) as number;
    const y = b.codePointAt(i) as number;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i += 1;
  }
  return sign(a.length - b.length);
}

function toNumber(value: unknown): number {
  return typeof value === 'number' ? value : Number(String(value));
}

/** Compares two values as mongod does (types first, then values); -1, 0 or 1. */
export function compareValues(a: unknown, b: unknown): number {
  const rankA = typeRank(a);
  const rankB = typeRank(b);
  if (rankA !== rankB) return rankA < rankB ? -1 : 1;
  switch (rankA) {
    case 3: {
      const x = toNumber(a);
      const y = toNumber(b);
      if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) ? (Number.isNaN(y) ? 0 : -1) : 1;
      return sign(x - y);
    }
    case 4:
      return compareStrings(String(a), String(b));
    case 5:
      return compareDocuments(a as Document, b as Document);
    case 6:
      return compareArrays(a as unknown[], b as unknown[]);
    case 8:
      return compareStrings(String(a), String(b));
    case 9:
      return sign(Number(a) - Number(b));
    case 10:
      return sign((a as Date).getTime() - (b as Date).getTime());
    default:
      return compareStrings(String(a), String(b));
  }
}

function compareDocuments(a: Document, b: Document): number {
  const x = Object.entries(a);
  const y = Object.entries(b);
  for (let i = 0; i < Math.min(x.length, y.length); i += 1) {
    const [keyA, valueA] = x[i] as [string, unknown];
    const [keyB, valueB] = y[i] as [string, unknown];
    const byType = sign(typeRank(valueA) - typeRank(valueB));
    if (byType !== 0) return byType;
    const byName = compareStrings(keyA, keyB);
    if (byName !== 0) return byName;
    const byValue = compareValues(valueA, valueB);
    if (byValue !== 0) return byValue;
  }
  return sign(x.length - y.length);
}

function compareArrays(a: unknown[], b: unknown[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i += 1) {
    const byValue = compareValues(a[i], b[i]);
    if (byValue !== 0) return byValue;
  }
  return sign(a.length - b.length);
}

/** The values a sort (or index) key takes from `path`: arrays on the way are walked, a leaf array spreads. */
function keyValues(value: unknown, parts: string[], i: number, out: unknown[]): void {
  if (i === parts.length) {
    if (!Array.isArray(value)) out.push(value ?? null);
    else if (value.length === 0) out.push(EMPTY_ARRAY);
    else out.push(...value);
    return;
  }
  const part = parts[i] as string;
  if (Array.isArray(value)) {
    if (/^\d+$/.test(part) && Number(part) < value.length) keyValues(value[Number(part)], parts, i + 1, out);
    else for (const item of value) if (isPlainObject(item)) keyValues(item, parts, i, out);
    return;
  }
  if (isPlainObject(value)) keyValues(value[part], parts, i + 1, out);
  else out.push(null);
}

/** mongod's sort key for one field: the smallest value for an ascending sort, the largest for descending. */
function sortKey(doc: Document, path: string, direction: 1 | -1): unknown {
  const values: unknown[] = [];
  keyValues(doc, path.split('.'), 0, values);
  if (values.length === 0) return null;
  let best = values[0];
  for (const value of values) if (compareValues(value, best) * direction < 0) best = value;
  return best;
}

/**
 * Sorts as mongod does: per field, by the smallest (ascending) or largest (descending) element of an array,
 * `[]` before a missing field before null-equal values, types in BSON order. Stable, so ties keep input order.
 */
export function sortByKeys(docs: Document[], spec: Document): Document[] {
  const fields = Object.entries(spec).map(([path, dir]): [string, 1 | -1] => {
    if (dir !== 1 && dir !== -1) {
      throw new CommandError(
        'BadValue',
        '$sort key ordering must be 1 (for ascending) or -1 (for descending)',
      );
    }
    return [path, dir];
  });
  const keyed = docs.map((doc) => ({ doc, keys: fields.map(([path, dir]) => sortKey(doc, path, dir)) }));
  keyed.sort((x, y) => {
    for (const [i, [, dir]] of fields.entries()) {
      const order = compareValues(x.keys[i], y.keys[i]) * dir;
      if (order !== 0) return order;
    }
    return 0;
  });
  return keyed.map((entry) => entry.doc);
}
