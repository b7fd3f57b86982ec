import { BSON, Long, type Document } from 'bson';
import { CommandError } from './command-error';

interface OpenCursor {
  ns: string;
  docs: Document[];
  position: number;
  lastUsed: number;
  /** find's noCursorTimeout: never reaped for idling. */
  noTimeout: boolean;
}

export interface OpenOptions {
  batchSize?: number;
  singleBatch?: boolean;
  noTimeout?: boolean;
}

export const DEFAULT_FIRST_BATCH = 101;
/** mongod caps a batch at 16 MiB of documents so the reply stays under maxBsonObjectSize plus headers. */
const MAX_BATCH_BYTES = 16 * 1024 * 1024 - 16 * 1024;
/** mongod's default cursorTimeoutMillis: an abandoned cursor is reaped after 10 minutes idle. */
const IDLE_TIMEOUT_MS = 10 * 60_000;

export interface CursorReply {
  cursor: { id: Long; ns: string; firstBatch?: Document[]; nextBatch?: Document[] };
  ok: 1;
}

/** Open cursors hold the rest of a result set; ids are int64 on the wire and never 0 while open. */
export class CursorRegistry {
  private readonly cursors = new Map<string, OpenCursor>();
  private nextId = 1 + Math.floor(Math.random() * 1_000_000);

  /** First batch of `docs`; a cursor stays open only if more remain. */
  open(ns: string, docs: Document[], options: OpenOptions = {}): CursorReply {
    const { batchSize, singleBatch = false, noTimeout = false } = options;
    // batchSize 0 is legal: it opens the cursor and returns an empty first batch.
    const size = batchSize !== undefined && batchSize >= 0 ? batchSize : DEFAULT_FIRST_BATCH;
    const firstBatch = takeBatch(docs, 0, size);
    if (singleBatch || docs.length <= firstBatch.length)
      return { cursor: { id: Long.ZERO, ns, firstBatch }, ok: 1 };
    const id = this.nextId++;
    this.cursors.set(String(id), { ns, docs, position: firstBatch.length, lastUsed: Date.now(), noTimeout });
    return { cursor: { id: Long.fromNumber(id), ns, firstBatch }, ok: 1 };
  }

  /** Closes the cursor a reply opened, for a command that fails after opening one (maxTimeMS). */
  discard(reply: Document): void {
    const cursor: unknown = reply.cursor;
    const id: unknown = cursor && typeof cursor === 'object' ? (cursor as Document).id : undefined;
    if (Long.isLong(id) && !id.isZero()) this.cursors.delete(id.toString());
  }

  getMore(id: unknown, ns: string, batchSize: number | undefined): CursorReply {
    const key = cursorKey(id);
    const cursor = this.cursors.get(key);
    if (!cursor || cursor.ns !== ns) throw new CommandError('CursorNotFound', `cursor id ${key} not found`);
    const size = batchSize && batchSize > 0 ? batchSize : cursor.docs.length;
    const nextBatch = takeBatch(cursor.docs, cursor.position, size);
    cursor.position += nextBatch.length;
    cursor.lastUsed = Date.now();
    const exhausted = cursor.position >= cursor.docs.length;
    if (exhausted) this.cursors.delete(key);
    return { cursor: { id: exhausted ? Long.ZERO : Long.fromString(key), ns, nextBatch }, ok: 1 };
  }

  kill(ids: unknown[]): { killed: Long[]; notFound: Long[] } {
    const killed: Long[] = [];
    const notFound: Long[] = [];
    for (const id of ids) {
      const key = cursorKey(id);
      (this.cursors.delete(key) ? killed : notFound).push(Long.fromString(key));
    }
    return { killed, notFound };
  }

  sweepIdle(now: number): void {
    for (const [key, cursor] of this.cursors)
      if (!cursor.noTimeout && now - cursor.lastUsed > IDLE_TIMEOUT_MS) this.cursors.delete(key);
  }

  clear(): void {
    this.cursors.clear();
  }
}

/** Up to `count` documents from `start`, fewer when they would exceed the batch byte cap (never zero). */
function takeBatch(docs: Document[], start: number, count: number): Document[] {
  const end = Math.min(docs.length, start + count);
  // One document always fits (nothing over 16 MiB is ever stored), so find-by-_id skips measuring it.
  if (end - start <= 1) return docs.slice(start, end);
  let bytes = 0;
  for (let i = start; i < end; i += 1) {
    bytes += BSON.calculateObjectSize(docs[i] as Document);
    if (bytes > MAX_BATCH_BYTES && i > start) return docs.slice(start, i);
  }
  return docs.slice(start, end);
}

function cursorKey(id: unknown): string {
  if (typeof id === 'number' || typeof id === 'bigint') return String(id);
  if (Long.isLong(id)) return id.toString();
  throw new CommandError('TypeMismatch', 'cursor id must be a number');
}
