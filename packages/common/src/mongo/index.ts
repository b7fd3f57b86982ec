import { setTimeout as delay } from 'node:timers/promises';
import mongoose, { type Connection } from 'mongoose';
import { ConflictError, ServiceUnavailableError, ValidationError, type ErrorMapper } from '../http';
import type { Logger } from '../logger';
import { guardWritesOnClosedSockets } from './closed-socket-guard';

export interface MongoOptions {
  uri: string;
  log: Logger;
  /** Attempts for the first connection before giving up (the process then exits and is restarted). */
  attempts?: number;
  /** How long an operation waits for a server before failing with 503 instead of hanging. */
  serverSelectionTimeoutMS?: number;
}

/**
 * Opens this service's own connection (never mongoose's global one), retrying the first connect with
 * backoff. Commands are not buffered: while MongoDB is away they fail within serverSelectionTimeoutMS.
 */
export async function connectMongo(options: MongoOptions): Promise<Connection> {
  // Mongoose otherwise formats a stack trace (`new Error().stack`, ~10 µs) on every query it runs, only to name
  // where a query ran first should it be run twice: the one MongoDB query of a cached read paid it every time.
  mongoose.set('skipOriginalStackTraces', true);
  guardWritesOnClosedSockets();
  const attempts = options.attempts ?? 10;
  for (let attempt = 1; ; attempt++) {
    const conn = mongoose.createConnection(options.uri, {
      bufferCommands: false,
      autoIndex: true,
      serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 3_000,
      // The driver learns that a lost server is back from its monitor: every 10 s by default, which kept a
      // recovered service out of readiness that long. A heartbeat every 2 s costs one small command per node.
      heartbeatFrequencyMS: 2_000,
      maxPoolSize: 20,
    });
    try {
      await conn.asPromise();
      options.log.info('mongodb connected', { db: conn.name });
      conn.on('disconnected', () => options.log.warn('mongodb disconnected'));
      conn.on('reconnected', () => options.log.info('mongodb reconnected'));
      return conn;
    } catch (err) {
      await conn.close().catch(() => undefined);
      if (attempt >= attempts) throw err;
      const waitMs = Math.min(250 * 2 ** attempt, 5_000);
      options.log.warn('mongodb connect failed, retrying', { attempt, waitMs, err });
      await delay(waitMs);
    }
  }
}

export async function pingMongo(conn: Connection): Promise<void> {
  if (!conn.db) throw new Error('mongodb not connected');
  await conn.db.admin().ping();
}

const isDuplicateKey = (err: unknown): err is mongoose.mongo.MongoServerError =>
  err instanceof mongoose.mongo.MongoServerError && err.code === 11000;

const isMongoUnavailable = (err: unknown): boolean =>
  err instanceof mongoose.mongo.MongoNetworkError ||
  err instanceof mongoose.mongo.MongoServerSelectionError ||
  err instanceof mongoose.mongo.MongoNotConnectedError ||
  (err instanceof mongoose.Error && /before initial connection|buffering timed out/.test(err.message));

/** The errors of mongoose and its driver that mean something to a client; register with the error handler. */
export const mongoErrors: ErrorMapper = (err) => {
  if (err instanceof mongoose.Error.CastError) {
    return new ValidationError('Invalid identifier', [{ path: err.path, reason: 'must be a valid id' }]);
  }
  if (isDuplicateKey(err)) {
    const fields = Object.keys(err.keyPattern ?? {}).join(', ');
    return new ConflictError(fields ? `Already exists: ${fields}` : 'Already exists');
  }
  if (isMongoUnavailable(err)) return new ServiceUnavailableError('Database unavailable', { cause: err });
  return undefined;
};

/**
 * The filter for the items after `position` in a list sorted newest first by `timeField`, then `_id`
 * (`sort({ [timeField]: -1, _id: -1 })`): keyset pagination, which neither skips nor repeats items when the
 * list changes between pages.
 */
export function keysetAfterDesc(
  timeField: string,
  position: { t: number; id: string } | undefined,
): Record<string, unknown> {
  if (!position) return {};
  const t = new Date(position.t);
  const id = new mongoose.Types.ObjectId(position.id);
  return { $or: [{ [timeField]: { $lt: t } }, { [timeField]: t, _id: { $lt: id } }] };
}

/** The same for lists sorted oldest first (`sort({ [timeField]: 1, _id: 1 })`). */
export function keysetAfterAsc(
  timeField: string,
  position: { t: number; id: string } | undefined,
): Record<string, unknown> {
  if (!position) return {};
  const t = new Date(position.t);
  const id = new mongoose.Types.ObjectId(position.id);
  return { $or: [{ [timeField]: { $gt: t } }, { [timeField]: t, _id: { $gt: id } }] };
}

export { mongoose, type Connection };
