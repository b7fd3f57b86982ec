import type { Document } from 'bson';
import { rejectCollation } from '../collation';
import { CommandError } from '../command-error';
import { asClientError } from '../error-reply';
import { matchDocuments } from '../query-engine';
import { applyUpdate, buildUpsertDocument, validateUpdate } from '../update';
import { isPlainObject } from '../values';
import { collectionName, documentArray, FieldRules, queryTarget, type CommandSpec } from './command-context';

/** Write-command fields mongod 7 knows (write_ops.idl) that this server does not implement. */
const REFUSED_WRITE_FIELDS = [
  'stmtId',
  'stmtIds',
  'collectionUUID',
  'encryptionInformation',
  'isTimeseriesNamespace',
];

/** Runs each statement; a client error becomes a write error, and an ordered batch stops at the first one. */
function runBatch<T>(items: T[], ordered: boolean, run: (item: T, index: number) => void): Document[] {
  const writeErrors: Document[] = [];
  for (const [index, item] of items.entries()) {
    try {
      run(item, index);
    } catch (err) {
      const clientError = asClientError(err);
      if (!clientError) throw err;
      writeErrors.push(clientError.toWriteError(index));
      if (ordered) break;
    }
  }
  return writeErrors;
}

function withWriteErrors(reply: Document, writeErrors: Document[]): Document {
  return writeErrors.length ? { ...reply, writeErrors } : reply;
}

/** mongod parses every statement before running any, so a bad one fails the whole command, not one write. */
function parseStatements(cmd: Document, field: string, path: string, rules: FieldRules): Document[] {
  const statements = documentArray(cmd, field);
  for (const stmt of statements) {
    rules.check(stmt, path);
    rejectCollation(stmt.collation);
  }
  return statements;
}

const insert: CommandSpec = {
  fields: ['documents', 'ordered'],
  // Schema validation is refused at create, so there is never a validator to bypass.
  noop: ['bypassDocumentValidation'],
  refused: REFUSED_WRITE_FIELDS,
  run: (cmd, ctx) => {
    const name = collectionName(cmd, 'insert');
    const docs = documentArray(cmd, 'documents');
    const coll = ctx.store.ensureCollection(ctx.db, name);
    let n = 0;
    const writeErrors = runBatch(docs, cmd.ordered !== false, (doc) => {
      coll.insert(doc);
      n += 1;
    });
    return withWriteErrors({ n, ok: 1 }, writeErrors);
  },
};

const updateStatement = new FieldRules({
  fields: ['q', 'u', 'upsert', 'multi', 'arrayFilters', 'hint', 'collation'],
  refused: ['c', 'upsertSupplied', 'sampleId'],
});

const update: CommandSpec = {
  fields: ['updates', 'ordered'],
  noop: ['bypassDocumentValidation'],
  refused: ['let', ...REFUSED_WRITE_FIELDS],
  run: (cmd, ctx) => {
    const name = collectionName(cmd, 'update');
    const statements = parseStatements(cmd, 'updates', 'update.updates', updateStatement);
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
      const target = queryTarget(ctx, name);
      const { docs } = matchDocuments(target, filter, stmt.hint);
      const targets = multi ? docs : docs.slice(0, 1);
      if (targets.length === 0) {
        if (stmt.upsert !== true) return;
        const doc = buildUpsertDocument(spec, { filter, arrayFilters });
        ctx.store.ensureCollection(ctx.db, name).insert(doc, { upsert: true });
        upserted.push({ index, _id: doc._id });
        n += 1;
        return;
      }
      for (const current of targets) {
        const outcome = applyUpdate(current, spec, { filter, arrayFilters });
        n += 1;
        if (!outcome.modified) continue;
        target.coll?.replace(current, outcome.doc);
        nModified += 1;
      }
    });
    const reply: Document = { n, nModified, ok: 1 };
    if (upserted.length) reply.upserted = upserted;
    return withWriteErrors(reply, writeErrors);
  },
};

const deleteStatement = new FieldRules({
  fields: ['q', 'limit', 'hint', 'collation'],
  refused: ['sampleId'],
});

const remove: CommandSpec = {
  fields: ['deletes', 'ordered'],
  refused: ['let', ...REFUSED_WRITE_FIELDS],
  run: (cmd, ctx) => {
    const name = collectionName(cmd, 'delete');
    const statements = parseStatements(cmd, 'deletes', 'delete.deletes', deleteStatement);
    const target = queryTarget(ctx, name);
    let n = 0;
    const writeErrors = runBatch(statements, cmd.ordered !== false, (stmt) => {
      const filter = isPlainObject(stmt.q) ? stmt.q : {};
      const { docs } = matchDocuments(target, filter, stmt.hint);
      const targets = stmt.limit === 1 ? docs.slice(0, 1) : docs;
      for (const doc of targets) target.coll?.remove(doc);
      n += targets.length;
    });
    return withWriteErrors({ n, ok: 1 }, writeErrors);
  },
};

export const writeCommands: Record<string, CommandSpec> = { insert, update, delete: remove };
