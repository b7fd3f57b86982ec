import { BSON, ObjectId, type Document } from 'bson';
import { CommandError } from './command-error';
import { ID_INDEX, isTextKey, normalizeIndexSpec, sameIndex, type IndexSpec } from './index-spec';
import { LookupIndex } from './lookup-index';
import { TextIndex } from './text-search';
import { UniqueIndex } from './unique-index';
import { valueKey } from './values';

/** mongod's BSONObjMaxUserSize: the largest document a client may store. */
export const MAX_DOCUMENT_BYTES = 16 * 1024 * 1024;

/**
 * One collection: documents in insertion (natural) order keyed by `_id`, plus its indexes. Stored documents
 * are never mutated; updates swap in a new object, which keeps readers and half-failed writes safe.
 */
export class Collection {
  private readonly docs = new Map<string, Document>();
  private readonly indexes: IndexSpec[] = [{ ...ID_INDEX }];
  private readonly uniques: UniqueIndex[] = [];
  private readonly lookups: LookupIndex[] = [];
  /** Insertion sequence per `_id` key: natural order for documents found through a lookup index. */
  private readonly sequence = new Map<string, number>();
  private nextSequence = 0;
  private text?: TextIndex;

  constructor(
    readonly dbName: string,
    readonly name: string,
  ) {}

  get namespace(): string {
    return `${this.dbName}.${this.name}`;
  }

  get size(): number {
    return this.docs.size;
  }

  get textIndex(): TextIndex | undefined {
    return this.text;
  }

  all(): Document[] {
    return [...this.docs.values()];
  }

  findById(id: unknown): Document | undefined {
    return this.docs.get(valueKey(id));
  }

  /**
   * Documents that may match `filter`, narrowed by a single-field index on one of its equality fields, in
   * natural order; undefined when no index applies and the caller has to scan.
   */
  indexedCandidates(filter: Document): Document[] | undefined {
    for (const lookup of this.lookups) {
      if (!(lookup.field in filter)) continue;
      const idKeys = lookup.lookup(filter[lookup.field]);
      if (!idKeys) continue;
      const docs: Array<[number, Document]> = [];
      for (const idKey of idKeys) {
        const doc = this.docs.get(idKey);
        if (doc) docs.push([this.sequence.get(idKey) ?? 0, doc]);
      }
      return docs.sort((a, b) => a[0] - b[0]).map(([, doc]) => doc);
    }
    return undefined;
  }

  /**
   * Stores `doc` (adding an ObjectId `_id` first when missing) or throws (E11000, too large, not indexable)
   * leaving nothing changed. `upsert` only picks mongod's wording for a document that is too large.
   */
  insert(doc: Document, { upsert = false } = {}): Document {
    // mongod stores _id as the first field whatever order the client sent.
    const { _id: id, ...fields } = doc;
    const stored =
      Object.keys(doc)[0] === '_id' && id !== undefined
        ? doc
        : { _id: id === undefined ? new ObjectId() : id, ...fields };
    if (Array.isArray(stored._id)) throw new CommandError('BadValue', "can't use an array for _id");
    const size = BSON.calculateObjectSize(stored);
    if (size > MAX_DOCUMENT_BYTES) {
      throw upsert
        ? new CommandError('Location17420', `Document to upsert is larger than ${MAX_DOCUMENT_BYTES}`)
        : new CommandError(
            'BadValue',
            `object to insert too large. size in bytes: ${size}, max size: ${MAX_DOCUMENT_BYTES}`,
          );
    }
    const idKey = valueKey(stored._id);
    if (this.docs.has(idKey)) throw this.duplicateIdError(stored._id);
    for (const unique of this.uniques) unique.check(stored, idKey);
    this.text?.check(stored);
    for (const unique of this.uniques) unique.add(stored, idKey);
    for (const lookup of this.lookups) lookup.add(stored, idKey);
    this.docs.set(idKey, stored);
    this.sequence.set(idKey, this.nextSequence++);
    return stored;
  }

  /** Swaps `current` for `next` (same `_id`), enforcing unique indexes against every other document. */
  replace(current: Document, next: Document): void {
    const idKey = valueKey(current._id);
    if (valueKey(next._id) !== idKey) {
      throw new CommandError(
        'ImmutableField',
        "Performing an update on the path '_id' would modify the immutable field '_id'",
      );
    }
    if (BSON.calculateObjectSize(next) > MAX_DOCUMENT_BYTES) {
      throw new CommandError(
        'Location17419',
        `Resulting document after update is larger than ${MAX_DOCUMENT_BYTES}`,
      );
    }
    for (const unique of this.uniques) unique.check(next, idKey);
    this.text?.check(next);
    for (const unique of this.uniques) unique.remove(current, idKey);
    for (const unique of this.uniques) unique.add(next, idKey);
    for (const lookup of this.lookups) {
      lookup.remove(current, idKey);
      lookup.add(next, idKey);
    }
    this.docs.set(idKey, next);
  }

  remove(doc: Document): void {
    const idKey = valueKey(doc._id);
    if (this.docs.get(idKey) !== doc) return;
    for (const unique of this.uniques) unique.remove(doc, idKey);
    for (const lookup of this.lookups) lookup.remove(doc, idKey);
    this.docs.delete(idKey);
    this.sequence.delete(idKey);
  }

  listIndexes(): IndexSpec[] {
    return this.indexes.map((spec) => ({ ...spec }));
  }

  ttlIndexes(): IndexSpec[] {
    return this.indexes.filter((spec) => typeof spec.expireAfterSeconds === 'number');
  }

  /** Returns false when an identical index already exists (mongod treats that as success). */
  createIndex(raw: unknown): boolean {
    const spec = normalizeIndexSpec(raw);
    const sameName = this.indexes.find((i) => i.name === spec.name);
    if (sameName) {
      if (sameIndex(sameName, spec)) return false;
      throw new CommandError(
        'IndexKeySpecsConflict',
        `An existing index has the same name as the requested index. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(sameName)}`,
      );
    }
    const sameKey = this.indexes.find((i) => JSON.stringify(i.key) === JSON.stringify(spec.key));
    if (sameKey) {
      if (sameIndex(sameKey, spec)) return false;
      throw new CommandError(
        'IndexOptionsConflict',
        `An equivalent index already exists with a different name and options. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(sameKey)}`,
      );
    }
    const textKey = isTextKey(spec.key);
    if (textKey && this.text) {
      throw new CommandError(
        'IndexOptionsConflict',
        `An equivalent index already exists with a different name and options. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(this.text.spec)}`,
      );
    }
    // Every check runs before any state changes, so a refused index leaves the collection as it was.
    const text = textKey ? new TextIndex(spec) : undefined;
    for (const doc of text ? this.docs.values() : []) text?.check(doc);
    if (spec.unique) {
      const unique = new UniqueIndex(spec, this.namespace);
      for (const [idKey, doc] of this.docs) {
        unique.check(doc, idKey);
        unique.add(doc, idKey);
      }
      this.uniques.push(unique);
    }
    if (LookupIndex.supports(spec)) {
      const lookup = new LookupIndex(spec);
      for (const [idKey, doc] of this.docs) lookup.add(doc, idKey);
      this.lookups.push(lookup);
    }
    if (text) this.text = text;
    this.indexes.push(spec);
    return true;
  }

  dropIndex(nameOrKey: unknown): void {
    const byKey = typeof nameOrKey === 'object' && nameOrKey !== null ? JSON.stringify(nameOrKey) : undefined;
    const spec = this.indexes.find((i) => i.name === nameOrKey || JSON.stringify(i.key) === byKey);
    if (!spec) {
      throw new CommandError('IndexNotFound', `index not found with name [${String(nameOrKey)}]`);
    }
    if (spec.name === '_id_') throw new CommandError('InvalidOptions', 'cannot drop _id index');
    this.indexes.splice(this.indexes.indexOf(spec), 1);
    const uniqueAt = this.uniques.findIndex((u) => u.spec === spec);
    if (uniqueAt >= 0) this.uniques.splice(uniqueAt, 1);
    const lookupAt = this.lookups.findIndex((l) => l.spec === spec);
    if (lookupAt >= 0) this.lookups.splice(lookupAt, 1);
    if (this.text?.spec === spec) this.text = undefined;
  }

  dropAllIndexes(): void {
    for (const spec of this.indexes.slice(1)) this.dropIndex(spec.name);
  }

  private duplicateIdError(id: unknown): CommandError {
    return new UniqueIndex(ID_INDEX, this.namespace).duplicateError({ _id: id });
  }
}
