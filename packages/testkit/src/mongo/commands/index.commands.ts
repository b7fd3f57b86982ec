import { CommandError } from '../command-error';
import { normalizeIndexSpec } from '../index-spec';
import {
  collectionName,
  documentArray,
  FieldRules,
  nonNegative,
  optionalDocument,
  type CommandSpec,
} from './command-context';

const createIndexes: CommandSpec = {
  fields: ['indexes'],
  refused: ['commitQuorum', 'ignoreUnknownIndexOptions', 'isTimeseriesNamespace', 'collectionUUID'],
  run: (cmd, ctx) => {
    const name = collectionName(cmd, 'createIndexes');
    const specs = documentArray(cmd, 'indexes');
    // mongod validates every spec before building any: one bad spec creates nothing.
    for (const spec of specs) normalizeIndexSpec(spec);
    const existed = ctx.store.collection(ctx.db, name) !== undefined;
    const coll = ctx.store.ensureCollection(ctx.db, name);
    const numIndexesBefore = coll.listIndexes().length;
    let created = 0;
    for (const spec of specs) if (coll.createIndex(spec)) created += 1;
    return {
      numIndexesBefore,
      numIndexesAfter: coll.listIndexes().length,
      createdCollectionAutomatically: !existed,
      ...(created === 0 ? { note: 'all indexes already exist' } : {}),
      ok: 1,
    };
  },
};

const cursorRules = new FieldRules({ fields: ['batchSize'] });

const listIndexes: CommandSpec = {
  fields: ['cursor'],
  refused: ['includeBuildUUIDs', 'includeIndexBuildInfo', 'isTimeseriesNamespace', 'collectionUUID'],
  run: (cmd, ctx) => {
    const name = collectionName(cmd, 'listIndexes');
    const cursor = optionalDocument(cmd, 'cursor');
    if (cursor) cursorRules.check(cursor, 'listIndexes.cursor');
    const coll = ctx.store.collection(ctx.db, name);
    if (!coll) throw new CommandError('NamespaceNotFound', `ns does not exist: ${ctx.db}.${name}`);
    const batchSize = cursor ? nonNegative(cursor, 'batchSize') : undefined;
    return ctx.cursors.open(`${ctx.db}.${name}`, coll.listIndexes(), { batchSize });
  },
};

const dropIndexes: CommandSpec = {
  fields: ['index'],
  refused: ['isTimeseriesNamespace', 'collectionUUID'],
  run: (cmd, ctx) => {
    const name = collectionName(cmd, Object.keys(cmd)[0] ?? 'dropIndexes');
    const coll = ctx.store.collection(ctx.db, name);
    if (!coll) throw new CommandError('NamespaceNotFound', `ns not found ${ctx.db}.${name}`);
    const nIndexesWas = coll.listIndexes().length;
    const target: unknown = cmd.index;
    if (target === '*') coll.dropAllIndexes();
    else if (Array.isArray(target)) for (const index of target) coll.dropIndex(index);
    else coll.dropIndex(target);
    return { nIndexesWas, ok: 1 };
  },
};

export const indexCommands: Record<string, CommandSpec> = {
  createIndexes,
  listIndexes,
  dropIndexes,
  deleteIndexes: dropIndexes,
};
