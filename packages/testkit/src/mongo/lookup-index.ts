import type { Document } from 'bson';
import type { IndexSpec } from './index-spec';
import { isPlainObject, valueKey, valuesAtPath } from './values';

/**
 * Equality lookups for a single-field index: index key → `_id` keys of the documents holding it. It only
 * narrows the candidates; the full filter still runs over them, so it never changes what matches.
 */
export class LookupIndex {
  private readonly entries = new Map<string, Set<string>>();
  readonly field: string;

  constructor(readonly spec: IndexSpec) {
    this.field = Object.keys(spec.key)[0] as string;
  }

  /** Sparse and partial indexes leave documents out, so they cannot answer "all documents with value v". */
  static supports(spec: IndexSpec): boolean {
    const keys = Object.values(spec.key);
    return (
      keys.length === 1 && (keys[0] === 1 || keys[0] === -1) && !spec.sparse && !spec.partialFilterExpression
    );
  }

  add(doc: Document, idKey: string): void {
    for (const key of this.keysOf(doc)) {
      let ids = this.entries.get(key);
      if (!ids) {
        ids = new Set();
        this.entries.set(key, ids);
      }
      ids.add(idKey);
    }
  }

  remove(doc: Document, idKey: string): void {
    for (const key of this.keysOf(doc)) {
      const ids = this.entries.get(key);
      ids?.delete(idKey);
      if (ids?.size === 0) this.entries.delete(key);
    }
  }

  /** `_id` keys of documents whose field equals `value`, or undefined when `value` is not a plain equality. */
  lookup(filterValue: unknown): Iterable<string> | undefined {
    const value =
      isPlainObject(filterValue) && Object.keys(filterValue).length === 1 && '$eq' in filterValue
        ? filterValue.$eq
        : filterValue;
    // Arrays and documents have extra matching rules (whole-array and element equality); leave them to mingo.
    if (Array.isArray(value) || isPlainObject(value) || value instanceof RegExp) return undefined;
    return this.entries.get(valueKey(value ?? null)) ?? [];
  }

  private keysOf(doc: Document): Set<string> {
    return new Set(valuesAtPath(doc, this.field).map((v) => valueKey(v === undefined ? null : v)));
  }
}
