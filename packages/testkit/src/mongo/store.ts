import type { Document } from 'bson';
import { Collection } from './collection';
import { CommandError } from './command-error';

/** All databases of one server: database name → collection name → collection. */
export class Store {
  private readonly databases = new Map<string, Map<string, Collection>>();

  collection(db: string, name: string): Collection | undefined {
    return this.databases.get(db)?.get(name);
  }

  /** Collections are created implicitly by the first write or index, as on mongod. */
  ensureCollection(db: string, name: string): Collection {
    validateName(db, name);
    let collections = this.databases.get(db);
    if (!collections) {
      collections = new Map();
      this.databases.set(db, collections);
    }
    let coll = collections.get(name);
    if (!coll) {
      coll = new Collection(db, name);
      collections.set(name, coll);
    }
    return coll;
  }

  /** Documents of a collection, for `$lookup`; empty when it does not exist. */
  documents(db: string, name: string): Document[] {
    return this.collection(db, name)?.all() ?? [];
  }

  collections(db: string): Collection[] {
    return [...(this.databases.get(db)?.values() ?? [])];
  }

  databaseNames(): string[] {
    return [...this.databases.keys()];
  }

  dropCollection(db: string, name: string): boolean {
    const collections = this.databases.get(db);
    const dropped = collections?.delete(name) ?? false;
    if (collections && collections.size === 0) this.databases.delete(db);
    return dropped;
  }

  dropDatabase(db: string): void {
    this.databases.delete(db);
  }

  /** Deletes documents whose TTL has passed, like mongod's TTL monitor; returns how many went. */
  sweepExpired(now: number): number {
    let removed = 0;
    for (const collections of this.databases.values()) {
      for (const coll of collections.values()) removed += sweepCollection(coll, now);
    }
    return removed;
  }
}

function sweepCollection(coll: Collection, now: number): number {
  let removed = 0;
  for (const spec of coll.ttlIndexes()) {
    const field = Object.keys(spec.key)[0];
    const ttlMs = (spec.expireAfterSeconds ?? 0) * 1000;
    if (!field || Object.keys(spec.key).length !== 1) continue; // mongod ignores TTL on compound indexes
    for (const doc of coll.all()) {
      const expiresAt = earliestDate(doc[field]);
      if (expiresAt !== undefined && expiresAt + ttlMs <= now) {
        coll.remove(doc);
        removed += 1;
      }
    }
  }
  return removed;
}

/** A TTL field may hold a date or an array of dates; the earliest one decides. */
function earliestDate(value: unknown): number | undefined {
  if (value instanceof Date) return value.getTime();
  if (!Array.isArray(value)) return undefined;
  const times = value.filter((v): v is Date => v instanceof Date).map((d) => d.getTime());
  return times.length ? Math.min(...times) : undefined;
}

function validateName(db: string, name: string): void {
  if (!db || /[/\\. "$]/.test(db))
    throw new CommandError('InvalidNamespace', `Invalid database name: '${db}'`);
  if (!name || name.includes('$') || name.startsWith('.')) {
    throw new CommandError('InvalidNamespace', `Invalid collection name: ${name}`);
  }
}
