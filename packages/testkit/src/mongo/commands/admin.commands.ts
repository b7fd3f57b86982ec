import type { Document } from 'bson';
import { Query } from 'mingo';
import { rejectCollation } from '../collation';
import { ID_INDEX } from '../index-spec';
import { collectionName, FieldRules, optionalDocument, type CommandSpec } from './command-context';

const create: CommandSpec = {
  fields: ['collation'],
  refused: [
    'capped',
    'size',
    'max',
    'autoIndexId',
    'idIndex',
    'validator',
    'validationLevel',
    'validationAction',
    'indexOptionDefaults',
    'viewOn',
    'pipeline',
    'changeStreamPreAndPostImages',
    'timeseries',
    'clusteredIndex',
    'recordPreImages',
    'expireAfterSeconds',
    'encryptedFields',
    'storageEngine',
    'temp',
    'flags',
  ],
  run: (cmd, ctx) => {
    rejectCollation(cmd.collation);
    // mongod 7 answers ok for an existing collection with the same (here: default) options.
    ctx.store.ensureCollection(ctx.db, collectionName(cmd, 'create'));
    return { ok: 1 };
  },
};

const drop: CommandSpec = {
  run: (cmd, ctx) => {
    const name = collectionName(cmd, 'drop');
    const nIndexesWas = ctx.store.collection(ctx.db, name)?.listIndexes().length;
    ctx.store.dropCollection(ctx.db, name);
    return nIndexesWas === undefined ? { ok: 1 } : { nIndexesWas, ns: `${ctx.db}.${name}`, ok: 1 };
  },
};

const dropDatabase: CommandSpec = {
  run: (_cmd, ctx) => {
    ctx.store.dropDatabase(ctx.db);
    return { dropped: ctx.db, ok: 1 };
  },
};

const cursorRules = new FieldRules({ fields: ['batchSize'] });

const listCollections: CommandSpec = {
  fields: ['filter', 'nameOnly', 'cursor'],
  // Without authentication every collection is an authorized one.
  noop: ['authorizedCollections'],
  refused: ['includePendingDrops'],
  run: (cmd, ctx) => {
    const filter = optionalDocument(cmd, 'filter');
    const cursor = optionalDocument(cmd, 'cursor');
    if (cursor) cursorRules.check(cursor, 'listCollections.cursor');
    let infos: Document[] = ctx.store.collections(ctx.db).map((coll) =>
      cmd.nameOnly === true
        ? { name: coll.name, type: 'collection' }
        : {
            name: coll.name,
            type: 'collection',
            options: {},
            info: { readOnly: false },
            idIndex: { ...ID_INDEX },
          },
    );
    if (filter && Object.keys(filter).length) {
      const query = new Query(filter, {});
      infos = infos.filter((info) => query.test(info));
    }
    return ctx.cursors.open(`${ctx.db}.$cmd.listCollections`, infos);
  },
};

const listDatabases: CommandSpec = {
  fields: ['filter', 'nameOnly'],
  // Without authentication every database is an authorized one.
  noop: ['authorizedDatabases'],
  run: (cmd, ctx) => {
    let databases: Document[] = ctx.store.databaseNames().map((name) => {
      const objects = ctx.store.collections(name).reduce((sum, coll) => sum + coll.size, 0);
      return cmd.nameOnly === true
        ? { name }
        : { name, sizeOnDisk: 4096 + objects * 256, empty: objects === 0 };
    });
    const filter = optionalDocument(cmd, 'filter');
    if (filter && Object.keys(filter).length) {
      const query = new Query(filter, {});
      databases = databases.filter((db) => query.test(db));
    }
    if (cmd.nameOnly === true) return { databases, ok: 1 };
    const totalSize = databases.reduce((sum, db) => sum + Number(db.sizeOnDisk ?? 0), 0);
    return { databases, totalSize, totalSizeMb: Math.floor(totalSize / 1_048_576), ok: 1 };
  },
};

const dbStats: CommandSpec = {
  lenient: true,
  run: (_cmd, ctx) => {
    const collections = ctx.store.collections(ctx.db);
    const objects = collections.reduce((sum, coll) => sum + coll.size, 0);
    const indexes = collections.reduce((sum, coll) => sum + coll.listIndexes().length, 0);
    return { db: ctx.db, collections: collections.length, views: 0, objects, indexes, ok: 1 };
  },
};

export const adminCommands: Record<string, CommandSpec> = {
  create,
  drop,
  dropDatabase,
  listCollections,
  listDatabases,
  dbStats,
};
