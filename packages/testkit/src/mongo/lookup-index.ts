import type { Document } from 'bson';
import type { IndexSpec } from './index-spec';
import { isPlainObject, valueKey, valuesAtPath } from './values';

/**
 * Equality lookups on an index's leading field: index key → `_id` keys of the documents holding it. It only
 * narrows the candidates; the full filter still runs over them, so it never changes what matches.
 */
export class LookupIndex {
  private readonly entries = new Map<string, Set<string>>();
  /** Every indexed document: for a sparse index, exactly those where the field exists. */
  private readonly indexed = new Set<string>();
  readonly field: string;
  private readonly sparse: boolean;

  constructor(readonly spec: IndexSpec) {
    this.field = Object.keys(spec.key)[0] as string;
    this.sparse = spec.sparse === true;
  }

  /**
   * A single-field index, or a compound one by its leading field (mongod's index prefix): equality on that field
   * narrows the candidates either way. A partial index leaves out documents by an arbitrary filter, and a sparse
   * compound one keeps documents that lack the leading field, so neither can answer lookups on its own.
   */
  static supports(spec: IndexSpec): boolean {
    const keys = Object.values(spec.key);
    const leading = keys[0];
    return (
      (leading === 1 || leading === -1) &&
      !spec.partialFilterExpression &&
      (keys.length === 1 || spec.sparse !== true)
    );
  }

  add(doc: Document, idKey: string): void {
    if (this.sparse && !this.hasField(doc)) return;
    this.indexed.add(idKey);
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
    this.indexed.delete(idKey);
    for (const key of this.keysOf(doc)) {
      const ids = this.entries.get(key);
      ids?.delete(idKey);
      if (ids?.size === 0) this.entries.delete(key);
    }
  }

  /**
   * `_id` keys of documents whose field equals `value` (or, on a sparse index, that have the field at all, as
   * the outbox relay asks), or undefined when the index cannot answer and the caller has to scan.
   */
  lookup(filterValue: unknown): Iterable<string> | undefined {
    if (this.sparse && isPlainObject(filterValue) && Object.keys(filterValue).length === 1) {
      if (filterValue.$exists === true) return this.indexed;
    }
    const value =
      isPlainObject(filterValue) && Object.keys(filterValue).length === 1 && '$eq' in filterValue
        ? filterValue.$eq
        : filterValue;
    // Arrays and documents have extra matching rules (whole-array and element equality); leave them to mingo.
    if (Array.isArray(value) || isPlainObject(value) || value instanceof RegExp) return undefined;
    // null also matches documents without the field, which a sparse index leaves out.
    if (this.sparse && (value === null || value === undefined)) return undefined;
    return this.entries.get(valueKey(value ?? null)) ?? [];
  }

  private hasField(doc: Document): boolean {
    return valuesAtPath(doc, this.field).some((v) => v !== undefined);
  }

  private keysOf(doc: Document): Set<string> {
    return new Set(valuesAtPath(doc, this.field).map((v) => valueKey(v === undefined ? null : v)));
  }
}
