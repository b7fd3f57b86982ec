import type { Document } from 'bson';
import { CommandError } from '../command-error';
import { matchDocuments } from '../query-engine';
import { applyUpdate, buildUpsertDocument, validateUpdate } from '../update';
import { isPlainObject } from '../values';
import { collectionName, documentArray, type CommandHandler } from './command-context';

/** Runs each statement; a CommandError becomes a write error, and an ordered batch stops at the first one. */
function runBatch<T>(items: T[], ordered: boolean, run: (item: T, index: number) => void): Document[] {
  const writeErrors: Document[] = [];
  for (const [index, item] of items.entries()) {
    try {
      run(item, index);
    } catch (err) {
      if (!(err instanceof CommandError)) throw err;
      writeErrors.push(err.toWriteError(index));
      if (ordered) break;
    }
  }
  return writeErrors;
}

function withWriteErrors(reply: Document, writeErrors: Document[]): Document {
  return writeErrors.length ? { ...reply, writeErrors } : reply;
}

const insert: CommandHandler = (cmd, ctx) => {
  const name = collectionName(cmd, 'insert');
  const docs = documentArray(cmd, 'documents');
  const coll = ctx.store.ensureCollection(ctx.db, name);
  let n = 0;
  const writeErrors = runBatch(docs, cmd.ordered !== false, (doc) => {
    coll.insert(doc);
    n += 1;
  });
  return withWriteErrors({ n, ok: 1 }, writeErrors);
};

const update: CommandHandler = (cmd, ctx) => {
  const name = collectionName(cmd, 'update');
  const statements = documentArray(cmd, 'updates');
  let n = 0;
  let nModified = 0;
  const upserted: Document[] = [];
  const writeErrors = runBatch(statements, cmd.ordered !== false, (stmt, index) => {
    const filter = isPlainObject(stmt.q) ? stmt.q : {};
    const spec = validateUpdate(stmt.u);
    const arrayFilters = Array.isArray(stmt.arrayFilters) ? (stmt.arrayFilters as Document[]) : undefined;
    const multi = stmt.multi === true;
    if (multi && !Array.isArray(spec) && !Object.keys(spec).some((k) => k.startsWith('$'))) {
      throw new CommandError('FailedToParse', 'multi update is not supported for replacement-style update');
    }
    const coll = ctx.store.collection(ctx.db, name);
    const { docs } = matchDocuments(coll, filter);
    const targets = multi ? docs : docs.slice(0, 1);
    if (targets.length === 0) {
      if (stmt.upsert !== true) return;
      const doc = buildUpsertDocument(spec, { filter, arrayFilters });
      ctx.store.ensureCollection(ctx.db, name).insert(doc);
      upserted.push({ index, _id: doc._id });
      n += 1;
      return;
    }
    for (const target of targets) {
      const outcome = applyUpdate(target, spec, { filter, arrayFilters });
      n += 1;
      if (!outcome.modified) continue;
      coll?.replace(target, outcome.doc);
      nModified += 1;
    }
  });
  const reply: Document = { n, nModified, ok: 1 };
  if (upserted.length) reply.upserted = upserted;
  return withWriteErrors(reply, writeErrors);
};

const remove: CommandHandler = (cmd, ctx) => {
  const name = collectionName(cmd, 'delete');
  const statements = documentArray(cmd, 'deletes');
  const coll = ctx.store.collection(ctx.db, name);
  let n = 0;
  const writeErrors = runBatch(statements, cmd.ordered !== false, (stmt) => {
    const filter = isPlainObject(stmt.q) ? stmt.q : {};
    const { docs } = matchDocuments(coll, filter);
    const targets = stmt.limit === 1 ? docs.slice(0, 1) : docs;
    for (const doc of targets) coll?.remove(doc);
    n += targets.length;
  });
  return withWriteErrors({ n, ok: 1 }, writeErrors);
};

export const writeCommands: Record<string, CommandHandler> = { insert, update, delete: remove };
