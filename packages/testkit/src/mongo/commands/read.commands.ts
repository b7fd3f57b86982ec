import type { Document } from 'bson';
import { CommandError } from '../command-error';
import { aggregateDocuments, findDocuments, matchDocuments } from '../query-engine';
import { isPlainObject, valueKey, valuesAtPath } from '../values';
import {
  collectionName,
  documentArray,
  optionalDocument,
  optionalNumber,
  type CommandHandler,
} from './command-context';

const find: CommandHandler = (cmd, ctx) => {
  const name = collectionName(cmd, 'find');
  const limit = optionalNumber(cmd, 'limit') ?? 0;
  const docs = findDocuments(ctx.store.collection(ctx.db, name), {
    filter: optionalDocument(cmd, 'filter'),
    sort: optionalDocument(cmd, 'sort'),
    projection: optionalDocument(cmd, 'projection'),
    skip: optionalNumber(cmd, 'skip'),
    limit: Math.abs(limit),
  });
  // A negative limit is the legacy "one batch, close the cursor" request.
  return ctx.cursors.open(
    `${ctx.db}.${name}`,
    docs,
    optionalNumber(cmd, 'batchSize'),
    cmd.singleBatch === true || limit < 0,
  );
};

const getMore: CommandHandler = (cmd, ctx) => {
  const name = typeof cmd.collection === 'string' ? cmd.collection : '';
  return ctx.cursors.getMore(cmd.getMore, `${ctx.db}.${name}`, optionalNumber(cmd, 'batchSize'));
};

const killCursors: CommandHandler = (cmd, ctx) => {
  collectionName(cmd, 'killCursors');
  const ids: unknown = cmd.cursors;
  if (!Array.isArray(ids)) throw new CommandError('TypeMismatch', 'cursors must be an array');
  const { killed, notFound } = ctx.cursors.kill(ids);
  return { cursorsKilled: killed, cursorsNotFound: notFound, cursorsAlive: [], cursorsUnknown: [], ok: 1 };
};

const count: CommandHandler = (cmd, ctx) => {
  const name = collectionName(cmd, 'count');
  const { docs } = matchDocuments(ctx.store.collection(ctx.db, name), optionalDocument(cmd, 'query'));
  const skip = optionalNumber(cmd, 'skip') ?? 0;
  const limit = Math.abs(optionalNumber(cmd, 'limit') ?? 0);
  const n = Math.max(0, docs.length - skip);
  return { n: limit > 0 ? Math.min(limit, n) : n, ok: 1 };
};

const distinct: CommandHandler = (cmd, ctx) => {
  const name = collectionName(cmd, 'distinct');
  if (typeof cmd.key !== 'string') throw new CommandError('TypeMismatch', 'key must be a string');
  const { docs } = matchDocuments(ctx.store.collection(ctx.db, name), optionalDocument(cmd, 'query'));
  const values = new Map<string, unknown>();
  for (const doc of docs) {
    for (const value of valuesAtPath(doc, cmd.key)) {
      if (value !== undefined && !values.has(valueKey(value))) values.set(valueKey(value), value);
    }
  }
  return { values: [...values.values()], ok: 1 };
};

const aggregate: CommandHandler = (cmd, ctx) => {
  const target: unknown = cmd.aggregate;
  const pipeline = documentArray(cmd, 'pipeline');
  if (pipeline.some((stage) => '$out' in stage || '$merge' in stage)) {
    throw new CommandError('BadValue', '$out and $merge are not supported by the in-memory test server');
  }
  const cursorOptions = optionalDocument(cmd, 'cursor');
  if (!cursorOptions && cmd.explain !== true) {
    throw new CommandError(
      'FailedToParse',
      "The 'cursor' option is required, except for aggregate with the explain argument",
    );
  }
  // `aggregate: 1` runs against the database ($currentOp, $documents…); nothing to read here.
  const coll = typeof target === 'string' ? ctx.store.collection(ctx.db, target) : undefined;
  const resolve = (other: string): Document[] => ctx.store.documents(ctx.db, other);
  const docs = aggregateDocuments(coll, pipeline, resolve);
  const batchSize = isPlainObject(cursorOptions) ? optionalNumber(cursorOptions, 'batchSize') : undefined;
  const ns = typeof target === 'string' ? `${ctx.db}.${target}` : `${ctx.db}.$cmd.aggregate`;
  return ctx.cursors.open(ns, docs, batchSize);
};

export const readCommands: Record<string, CommandHandler> = {
  find,
  getMore,
  killCursors,
  count,
  distinct,
  aggregate,
};
