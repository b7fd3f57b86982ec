import { CommandError } from '../command-error';
import { collectionName, documentArray, type CommandHandler } from './command-context';

const createIndexes: CommandHandler = (cmd, ctx) => {
  const name = collectionName(cmd, 'createIndexes');
  const specs = documentArray(cmd, 'indexes');
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
};

const listIndexes: CommandHandler = (cmd, ctx) => {
  const name = collectionName(cmd, 'listIndexes');
  const coll = ctx.store.collection(ctx.db, name);
  if (!coll) throw new CommandError('NamespaceNotFound', `ns does not exist: ${ctx.db}.${name}`);
  return ctx.cursors.open(`${ctx.db}.${name}`, coll.listIndexes(), undefined);
};

const dropIndexes: CommandHandler = (cmd, ctx) => {
  const name = collectionName(cmd, Object.keys(cmd)[0] ?? 'dropIndexes');
  const coll = ctx.store.collection(ctx.db, name);
  if (!coll) throw new CommandError('NamespaceNotFound', `ns not found ${ctx.db}.${name}`);
  const nIndexesWas = coll.listIndexes().length;
  const target: unknown = cmd.index;
  if (target === '*') coll.dropAllIndexes();
  else if (Array.isArray(target)) for (const index of target) coll.dropIndex(index);
  else coll.dropIndex(target);
  return { nIndexesWas, ok: 1 };
};

export const indexCommands: Record<string, CommandHandler> = {
  createIndexes,
  listIndexes,
  dropIndexes,
  deleteIndexes: dropIndexes,
};
