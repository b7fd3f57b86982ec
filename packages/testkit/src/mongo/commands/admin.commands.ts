import type { Document } from 'bson';
import { Query } from 'mingo';
import { ID_INDEX } from '../index-spec';
import { collectionName, optionalDocument, type CommandHandler } from './command-context';

const create: CommandHandler = (cmd, ctx) => {
  // mongod 7 answers ok for an existing collection with the same options; options are not kept here.
  ctx.store.ensureCollection(ctx.db, collectionName(cmd, 'create'));
  return { ok: 1 };
};

const drop: CommandHandler = (cmd, ctx) => {
  const name = collectionName(cmd, 'drop');
  const nIndexesWas = ctx.store.collection(ctx.db, name)?.listIndexes().length;
  ctx.store.dropCollection(ctx.db, name);
  return nIndexesWas === undefined ? { ok: 1 } : { nIndexesWas, ns: `${ctx.db}.${name}`, ok: 1 };
};

const dropDatabase: CommandHandler = (_cmd, ctx) => {
  ctx.store.dropDatabase(ctx.db);
  return { dropped: ctx.db, ok: 1 };
};

const listCollections: CommandHandler = (cmd, ctx) => {
  const filter = optionalDocument(cmd, 'filter');
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
  return ctx.cursors.open(`${ctx.db}.$cmd.listCollections`, infos, undefined);
};

const listDatabases: CommandHandler = (cmd, ctx) => {
  const databases = ctx.store.databaseNames().map((name) => {
    const objects = ctx.store.collections(name).reduce((sum, coll) => sum + coll.size, 0);
    return cmd.nameOnly === true
      ? { name }
      : { name, sizeOnDisk: 4096 + objects * 256, empty: objects === 0 };
  });
  const totalSize = databases.reduce((sum, db) => sum + (db.sizeOnDisk ?? 0), 0);
  return { databases, totalSize, totalSizeMb: Math.floor(totalSize / 1_048_576), ok: 1 };
};

const dbStats: CommandHandler = (_cmd, ctx) => {
  const collections = ctx.store.collections(ctx.db);
  const objects = collections.reduce((sum, coll) => sum + coll.size, 0);
  const indexes = collections.reduce((sum, coll) => sum + coll.listIndexes().length, 0);
  return { db: ctx.db, collections: collections.length, views: 0, objects, indexes, ok: 1 };
};

export const adminCommands: Record<string, CommandHandler> = {
  create,
  drop,
  dropDatabase,
  listCollections,
  listDatabases,
  dbStats,
};
