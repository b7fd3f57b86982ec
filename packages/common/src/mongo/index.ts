import { setTimeout as delay } from 'node:timers/promises';
import mongoose, { type Connection } from 'mongoose';
import type { Logger } from '../logger';

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
  const attempts = options.attempts ?? 10;
  for (let attempt = 1; ; attempt++) {
    const conn = mongoose.createConnection(options.uri, {
      bufferCommands: false,
      autoIndex: true,
      serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 3_000,
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

export { mongoose, type Connection };
