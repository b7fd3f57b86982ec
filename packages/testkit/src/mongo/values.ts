import { ObjectId, type Document } from 'bson';

export function isPlainObject(value: unknown): value is Document {
  if (value === null || typeof value !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function bsonType(value: object): string | undefined {
  const tag: unknown = (value as { _bsontype?: unknown })._bsontype;
  return typeof tag === 'string' ? tag : undefined;
}

/**
 * A string that is equal for values mongod treats as equal in an index (numbers across types, ObjectIds across
 * instances, documents field by field in order). Used for the `_id` map and unique indexes.
 */
export function valueKey(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return `n${value}`;
    case 'bigint':
      return `n${value}`;
    case 'boolean':
      return value ? 'T' : 'F';
    case 'undefined':
      return 'N';
    case 'object':
      return objectKey(value);
    default:
      return `?${String(value)}`;
  }
}

function objectKey(value: object | null): string {
  if (value === null) return 'N';
  if (value instanceof ObjectId) return objectIdKey(value.id);
  if (value instanceof Date) return `d${value.getTime()}`;
  if (Array.isArray(value)) return `[${value.map(valueKey).join(',')}]`;
  if (value instanceof RegExp) return `r${String(value)}`;
  if (isPlainObject(value)) {
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}:${valueKey(v)}`)
      .join(',')}}`;
  }
  const tag = bsonType(value);
  if (tag === 'Long' || tag === 'Int32' || tag === 'Double' || tag === 'Decimal128')
    return `n${String(value)}`;
  if (tag === 'ObjectId') return objectIdKey((value as { id: Uint8Array }).id); // from another bson copy
  if (tag === 'Binary') return `x${(value as { toString(enc: string): string }).toString('base64')}`;
  return `${tag ?? 'obj'}:${String(value)}`;
}

/** The 12 bytes as 12 characters: several times cheaper than hex, and every `_id` lookup makes one. */
function objectIdKey(id: Uint8Array): string {
  return `o${String.fromCharCode(...id)}`;
}

/**
 * Stored documents are never mutated in place (updates replace them), so BSON value objects can be shared;
 * only containers and Dates are copied to keep a caller's later writes from reaching the store.
 */
export function cloneValue<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(cloneValue) as T;
  if (value instanceof Date) return new Date(value.getTime()) as T;
  if (isPlainObject(value)) {
    const source: Document = value;
    const out: Document = {};
    for (const key of Object.keys(source)) out[key] = cloneValue(source[key]);
    return out as T;
  }
  return value;
}

/** Values at a dotted path, expanding arrays the way a multikey index does. */
export function valuesAtPath(doc: unknown, path: string): unknown[] {
  const out: unknown[] = [];
  collect(doc, path.split('.'), 0, out);
  return out;
}

function collect(value: unknown, parts: string[], i: number, out: unknown[]): void {
  if (i === parts.length) {
    if (Array.isArray(value)) out.push(...(value.length ? value : [undefined]));
    else out.push(value);
    return;
  }
  if (Array.isArray(value)) {
    const part = parts[i] as string;
    if (/^\d+$/.test(part)) {
      collect(value[Number(part)], parts, i + 1, out);
      return;
    }
    for (const item of value) collect(item, parts, i, out);
    return;
  }
  if (value !== null && typeof value === 'object') {
    collect((value as Document)[parts[i] as string], parts, i + 1, out);
    return;
  }
  out.push(undefined);
}

/** Renders a value the way mongod's E11000 message does, e.g. `{ email: "a@b.c" }`. */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined || value === null) return 'null';
  if (value instanceof ObjectId) return `ObjectId('${value.toHexString()}')`;
  if (value instanceof Date) return `new Date(${value.getTime()})`;
  if (Array.isArray(value)) return `[ ${value.map(formatValue).join(', ')} ]`;
  if (isPlainObject(value)) {
    const entries = Object.entries(value).map(([k, v]) => `${k}: ${formatValue(v)}`);
    return entries.length ? `{ ${entries.join(', ')} }` : '{}';
  }
  return String(value);
}

export function setPath(doc: Document, path: string, value: unknown): void {
  const parts = path.split('.');
  let target: Document = doc;
  for (const part of parts.slice(0, -1)) {
    const next: unknown = target[part];
    if (!isPlainObject(next)) target[part] = {};
    target = target[part] as Document;
  }
  target[parts[parts.length - 1] as string] = value;
}
