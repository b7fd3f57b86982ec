import type { Document } from 'bson';
import { rejectCollation } from '../collation';
import { CommandError, notImplemented } from '../command-error';
import { aggregateDocuments, findDocuments, matchDocuments } from '../query-engine';
import { isPlainObject, valueKey, valuesAtPath } from '../values';
import {
  collectionName,
  documentArray,
  FieldRules,
  nonNegative,
  optionalDocument,
  optionalNumber,
  queryTarget,
  type CommandSpec,
} from './command-context';

const find: CommandSpec = {
  reads: true,
  fields: [
    'filter',
    'sort',
    'projection',
    'hint',
    'skip',
    'limit',
    'batchSize',
    'singleBatch',
    'noCursorTimeout',
    'collation',
  ],
  // No shards to be partial about, no memory limit to spill past, no storage cache to spare.
  noop: ['allowPartialResults', 'allowDiskUse', 'readOnce'],
  refused: [
    'max',
    'min',
    'returnKey',
    'showRecordId',
    'tailable',
    'oplogReplay',
    'awaitData',
    'let',
    'term',
    'requestResumeToken',
    'resumeAfter',
    'allowSpeculativeMajorityRead',
    'encryptionInformation',
    'legacyRuntimeConstants',
  ],
  run: (cmd, ctx) => {
    const name = collectionName(cmd, 'find');
    rejectCollation(cmd.collation);
    const skip = nonNegative(cmd, 'skip');
    const limit = nonNegative(cmd, 'limit');
    const batchSize = nonNegative(cmd, 'batchSize');
    const target = queryTarget(ctx, name);
    const docs = findDocuments(target, {
      filter: optionalDocument(cmd, 'filter'),
      sort: optionalDocument(cmd, 'sort'),
      projection: optionalDocument(cmd, 'projection'),
      skip,
      limit,
      hint: cmd.hint,
    });
    return ctx.cursors.open(target.ns, docs, {
      batchSize,
      singleBatch: cmd.singleBatch === true,
      noTimeout: cmd.noCursorTimeout === true,
    });
  },
};

const getMore: CommandSpec = {
  fields: ['collection', 'batchSize'],
  refused: ['term', 'lastKnownCommittedOpTime', 'includeQueryStatsMetrics'],
  run: (cmd, ctx) => {
    const name = typeof cmd.collection === 'string' ? cmd.collection : '';
    return ctx.cursors.getMore(cmd.getMore, `${ctx.db}.${name}`, nonNegative(cmd, 'batchSize'));
  },
};

const killCursors: CommandSpec = {
  fields: ['cursors'],
  run: (cmd, ctx) => {
    collectionName(cmd, 'killCursors');
    const ids: unknown = cmd.cursors;
    if (!Array.isArray(ids)) throw new CommandError('TypeMismatch', 'cursors must be an array');
    const { killed, notFound } = ctx.cursors.kill(ids);
    return { cursorsKilled: killed, cursorsNotFound: notFound, cursorsAlive: [], cursorsUnknown: [], ok: 1 };
  },
};

const count: CommandSpec = {
  reads: true,
  fields: ['query', 'limit', 'skip', 'hint', 'collation'],
  // mongod's count ignores `fields` too.
  noop: ['fields'],
  refused: ['encryptionInformation'],
  run: (cmd, ctx) => {
    const name = collectionName(cmd, 'count');
    rejectCollation(cmd.collation);
    const skip = nonNegative(cmd, 'skip') ?? 0;
    const limit = Math.abs(optionalNumber(cmd, 'limit') ?? 0);
    const { docs } = matchDocuments(queryTarget(ctx, name), optionalDocument(cmd, 'query'), cmd.hint);
    const n = Math.max(0, docs.length - skip);
    return { n: limit > 0 ? Math.min(limit, n) : n, ok: 1 };
  },
};

const distinct: CommandSpec = {
  reads: true,
  fields: ['key', 'query', 'collation'],
  run: (cmd, ctx) => {
    const name = collectionName(cmd, 'distinct');
    rejectCollation(cmd.collation);
    if (typeof cmd.key !== 'string') throw new CommandError('TypeMismatch', 'key must be a string');
    const { docs } = matchDocuments(queryTarget(ctx, name), optionalDocument(cmd, 'query'));
    const values = new Map<string, unknown>();
    for (const doc of docs) {
      for (const value of valuesAtPath(doc, cmd.key)) {
        if (value !== undefined && !values.has(valueKey(value))) values.set(valueKey(value), value);
      }
    }
    return { values: [...values.values()], ok: 1 };
  },
};

const cursorRules = new FieldRules({ fields: ['batchSize'] });

const aggregate: CommandSpec = {
  reads: true,
  fields: ['pipeline', 'cursor', 'explain', 'hint', 'collation'],
  // Nothing here validates documents, and there is no memory limit to spill past.
  noop: ['allowDiskUse', 'bypassDocumentValidation'],
  refused: [
    'let',
    'exchange',
    'fromMongos',
    'fromRouter',
    'needsMerge',
    'collectionUUID',
    'encryptionInformation',
    'isMapReduceCommand',
  ],
  run: (cmd, ctx) => {
    const target: unknown = cmd.aggregate;
    const pipeline = documentArray(cmd, 'pipeline');
    rejectCollation(cmd.collation);
    if (cmd.explain === true) throw notImplemented('explain');
    if (pipeline.some((stage) => '$out' in stage || '$merge' in stage))
      throw notImplemented('$out and $merge');
    const cursorOptions = optionalDocument(cmd, 'cursor');
    if (!cursorOptions) {
      throw new CommandError(
        'FailedToParse',
        "The 'cursor' option is required, except for aggregate with the explain argument",
      );
    }
    cursorRules.check(cursorOptions, 'aggregate.cursor');
    // `aggregate: 1` runs against the database ($currentOp, $documents…); nothing to read here.
    const name = typeof target === 'string' ? target : '$cmd.aggregate';
    const queried = typeof target === 'string' ? queryTarget(ctx, target) : { coll: undefined, ns: '' };
    const resolve = (other: string): Document[] => ctx.store.documents(ctx.db, other);
    const docs = aggregateDocuments(queried, pipeline, { resolve, hint: cmd.hint });
    const batchSize = isPlainObject(cursorOptions) ? nonNegative(cursorOptions, 'batchSize') : undefined;
    return ctx.cursors.open(`${ctx.db}.${name}`, docs, { batchSize });
  },
};

export const readCommands: Record<string, CommandSpec> = {
  find,
  getMore,
  killCursors,
  count,
  distinct,
  aggregate,
};
