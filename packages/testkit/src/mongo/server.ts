import net from 'node:net';
import type { Document } from 'bson';
import { CommandError } from './command-error';
import { runCommand } from './commands';
import { CursorRegistry } from './cursor-registry';
import { MessageReader } from './message-reader';
import { Store } from './store';
import {
  encodeOpMsg,
  encodeOpReply,
  OP_QUERY,
  parseMessage,
  WireProtocolError,
  type WireRequest,
} from './wire';

export interface InMemoryMongoOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** How often expired TTL documents are deleted; mongod uses 60 s, tests want ~100 ms. */
  ttlSweepMs?: number;
}

export interface InMemoryMongo {
  /** Without a database name, e.g. `mongodb://127.0.0.1:40123`. */
  uri: string;
  host: string;
  port: number;
  stop(): Promise<void>;
}

export const IN_MEMORY_BANNER =
  'in-memory MongoDB wire-protocol TEST server (@social/testkit): data lives in this process only, not for production';

const DEFAULT_TTL_SWEEP_MS = 1_000;
/** OP_MSG flag bit 1: the client expects no reply. */
const MORE_TO_COME = 1 << 1;

/** Starts the in-memory server: one Store shared by all connections, commands run one at a time. */
export async function startInMemoryMongo(options: InMemoryMongoOptions = {}): Promise<InMemoryMongo> {
  const host = options.host ?? '127.0.0.1';
  const store = new Store();
  const cursors = new CursorRegistry();
  const sockets = new Set<net.Socket>();
  let connectionCount = 0;
  let requestCount = 0;

  const server = net.createServer((socket) => {
    connectionCount += 1;
    const connectionId = connectionCount;
    sockets.add(socket);
    socket.setNoDelay(true);
    const reader = new MessageReader();
    socket.on('data', (chunk: Buffer) => {
      try {
        reader.push(chunk);
        for (let msg = reader.next(); msg; msg = reader.next()) {
          const reply = answer(msg, connectionId);
          if (reply) socket.write(reply);
        }
      } catch {
        // Garbage or an oversized frame: only this connection is beyond repair.
        socket.destroy();
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
  });

  /** The reply to one framed message; undefined when none is due (moreToCome). Throws to close the socket. */
  function answer(msg: Buffer, connectionId: number): Buffer | undefined {
    let request: WireRequest;
    try {
      request = parseMessage(msg);
    } catch (err) {
      if (!(err instanceof WireProtocolError) || !err.reply) throw err;
      return parseErrorReply(msg, err.reply.toReply());
    }
    const db = request.opCode === OP_QUERY ? queryDatabase(request.namespace) : String(request.command.$db);
    const reply: Document = db
      ? runCommand(request.command, { store, cursors, db, connectionId })
      : new CommandError('UnsupportedOpQueryCommand', 'OP_QUERY is only supported on <db>.$cmd').toReply();
    if (request.moreToCome) return undefined;
    return encodeReply(request.opCode === OP_QUERY, reply, request.requestId);
  }

  /** mongod answers a message it could frame but not parse, in the framing the client used. */
  function parseErrorReply(msg: Buffer, reply: Document): Buffer | undefined {
    const opCode = msg.readInt32LE(12);
    if (opCode !== OP_QUERY && msg.length >= 20 && (msg.readUInt32LE(16) & MORE_TO_COME) !== 0)
      return undefined;
    return encodeReply(opCode === OP_QUERY, reply, msg.readInt32LE(4));
  }

  function encodeReply(opQuery: boolean, reply: Document, responseTo: number): Buffer {
    requestCount = (requestCount + 1) & 0x7fffffff;
    const encode = opQuery ? encodeOpReply : encodeOpMsg;
    try {
      return encode(reply, requestCount, responseTo);
    } catch (err) {
      const errmsg = `reply could not be encoded: ${(err as Error).message}`;
      return encode(new CommandError('BSONObjectTooLarge', errmsg).toReply(), requestCount, responseTo);
    }
  }

  const sweep = setInterval(() => {
    const now = Date.now();
    store.sweepExpired(now);
    cursors.sweepIdle(now);
  }, options.ttlSweepMs ?? DEFAULT_TTL_SWEEP_MS);
  sweep.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((err: unknown) => {
    clearInterval(sweep);
    throw err;
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 0);

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= new Promise<void>((resolve) => {
      clearInterval(sweep);
      cursors.clear();
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
    return stopped;
  };

  return { uri: `mongodb://${host}:${port}`, host, port, stop };
}

function queryDatabase(namespace: string | undefined): string | undefined {
  const match = /^([^.]+)\.\$cmd$/.exec(namespace ?? '');
  return match?.[1];
}
