import type { Document } from 'bson';
import { Query } from 'mingo';
import { CommandError } from './command-error';
import type { IndexSpec } from './index-spec';
import { formatValue, valueKey, valuesAtPath } from './values';

interface IndexEntry {
  keys: string[];
  keyValue: Document;
}

/** Enforces one unique index: a map from the index key of every indexed document to that document's `_id` key. */
export class UniqueIndex {
  private readonly owners = new Map<string, string>();
  private readonly fields: string[];
  private readonly partial?: Query;

  constructor(
    readonly spec: IndexSpec,
    private readonly namespace: string,
  ) {
    this.fields = Object.keys(spec.key);
    if (spec.partialFilterExpression) this.partial = new Query(spec.partialFilterExpression, {});
  }

  /** Throws E11000 if `doc` (owned by `idKey`) collides with another document. */
  check(doc: Document, idKey: string): void {
    const entry = this.entryFor(doc);
    if (!entry) return;
    for (const key of entry.keys) {
      const owner = this.owners.get(key);
      if (owner !== undefined && owner !== idKey) throw this.duplicateError(entry.keyValue);
    }
  }

  add(doc: Document, idKey: string): void {
    for (const key of this.entryFor(doc)?.keys ?? []) this.owners.set(key, idKey);
  }

  remove(doc: Document, idKey: string): void {
    for (const key of this.entryFor(doc)?.keys ?? []) {
      if (this.owners.get(key) === idKey) this.owners.delete(key);
    }
  }

  private entryFor(doc: Document): IndexEntry | null {
    if (this.partial && !this.partial.test(doc)) return null;
    const perField = this.fields.map((f) => valuesAtPath(doc, f));
    if (this.spec.sparse && perField.every((values) => values.every((v) => v === undefined))) return null;
    const keyValue: Document = {};
    this.fields.forEach((f, i) => {
      const values = perField[i] ?? [];
      keyValue[f] = values.length === 1 ? (values[0] ?? null) : values;
    });
    // A multikey document produces one index key per combination of array elements.
    let keys = [''];
    for (const values of perField) {
      const parts = [...new Set(values.map((v) => valueKey(v === undefined ? null : v)))];
      keys = keys.flatMap((prefix) => parts.map((p) => `${prefix}|${p}`));
    }
    return { keys, keyValue };
  }

  duplicateError(keyValue: Document): CommandError {
    const dupKey = Object.entries(keyValue)
      .map(([k, v]) => `${k}: ${formatValue(v)}`)
      .join(', ');
    return new CommandError(
      'DuplicateKey',
      `E11000 duplicate key error collection: ${this.namespace} index: ${this.spec.name} dup key: { ${dupKey} }`,
      { keyPattern: { ...this.spec.key }, keyValue },
    );
  }
}
