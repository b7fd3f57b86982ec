import type { Document } from 'bson';
import { rejectCollation } from '../collation';
import { CommandError } from '../command-error';
import { matchDocuments, projectDocuments, sortDocuments } from '../query-engine';
import { applyUpdate, buildUpsertDocument, validateUpdate } from '../update';
import {
  collectionName,
  optionalDocument,
  queryTarget,
  type CommandHandler,
  type CommandSpec,
} from './command-context';

const project = (doc: Document | null, fields: Document | undefined): Document | null =>
  doc ? (projectDocuments([doc], fields)[0] ?? null) : null;

/** Find, change and answer in one synchronous step, so no other command can interleave. */
const findAndModify: CommandHandler = (cmd, ctx) => {
  const name = collectionName(cmd, Object.keys(cmd)[0] ?? 'findAndModify');
  rejectCollation(cmd.collation);
  const filter = optionalDocument(cmd, 'query') ?? {};
  const sort = optionalDocument(cmd, 'sort');
  const fields = optionalDocument(cmd, 'fields');
  const arrayFilters = Array.isArray(cmd.arrayFilters) ? (cmd.arrayFilters as Document[]) : undefined;
  const returnNew = cmd.new === true;
  if (cmd.remove === true && cmd.update !== undefined) {
    throw new CommandError('FailedToParse', 'Cannot specify both an update and remove=true');
  }
  if (cmd.remove !== true && cmd.update === undefined) {
    throw new CommandError('FailedToParse', 'Either an update or remove=true must be specified');
  }

  const queried = queryTarget(ctx, name);
  const coll = queried.coll;
  const { docs } = matchDocuments(queried, filter, cmd.hint);
  const target = (sort ? sortDocuments(docs, sort) : docs)[0];

  if (cmd.remove === true) {
    if (target) coll?.remove(target);
    return { lastErrorObject: { n: target ? 1 : 0 }, value: project(target ?? null, fields), ok: 1 };
  }

  const spec = validateUpdate(cmd.update);
  if (target) {
    const outcome = applyUpdate(target, spec, { filter, arrayFilters });
    if (outcome.modified) coll?.replace(target, outcome.doc);
    return {
      lastErrorObject: { n: 1, updatedExisting: true },
      value: project(returnNew ? outcome.doc : target, fields),
      ok: 1,
    };
  }
  if (cmd.upsert !== true) {
    return { lastErrorObject: { n: 0, updatedExisting: false }, value: null, ok: 1 };
  }
  const doc = ctx.store
    .ensureCollection(ctx.db, name)
    .insert(buildUpsertDocument(spec, { filter, arrayFilters }), { upsert: true });
  return {
    lastErrorObject: { n: 1, updatedExisting: false, upserted: doc._id },
    value: returnNew ? project(doc, fields) : null,
    ok: 1,
  };
};

const spec: CommandSpec = {
  fields: [
    'query',
    'sort',
    'remove',
    'update',
    'new',
    'fields',
    'upsert',
    'arrayFilters',
    'hint',
    'collation',
  ],
  // Schema validation is refused at create, so there is never a validator to bypass.
  noop: ['bypassDocumentValidation'],
  refused: ['let', 'stmtId', 'encryptionInformation', 'isTimeseriesNamespace'],
  run: findAndModify,
};

export const findAndModifyCommands: Record<string, CommandSpec> = {
  findAndModify: spec,
  findandmodify: spec,
};
