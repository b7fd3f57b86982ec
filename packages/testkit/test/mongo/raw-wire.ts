import net from 'node:net';
import { BSON, type Document } from 'bson';

/** Host and port of the first server in a connection string (the test server). */
export function hostAndPort(uri: string): { host: string; port: number } {
  const match = /^mongodb:\/\/(?:[^@/]*@)?([^:/,]+):(\d+)/.exec(uri);
  if (!match) throw new Error(`cannot take host and port from ${uri}`);
  return { host: match[1] as string, port: Number(match[2]) };
}

/** The database name of a connection string. */
export const databaseOf = (uri: string): string =>
  new URL(uri.replace(/^mongodb:/, 'http:')).pathname.slice(1);

/** An OP_MSG with a body and, optionally, one document sequence (as the driver sends inserts). */
export function opMsg(body: Document, requestId: number, sequence?: { id: string; docs: Buffer[] }): Buffer {
  const sections: Buffer[] = [Buffer.from([0]), Buffer.from(BSON.serialize(body))];
  if (sequence) {
    const id = Buffer.from(`${sequence.id}\0`);
    const size = Buffer.alloc(4);
    size.writeInt32LE(4 + id.length + sequence.docs.reduce((sum, d) => sum + d.length, 0));
    sections.push(Buffer.from([1]), size, id, ...sequence.docs);
  }
  return frame(2013, requestId, Buffer.concat([Buffer.alloc(4), ...sections]));
}

/** A message header around `payload`. */
export function frame(opCode: number, requestId: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(16);
  header.writeInt32LE(16 + payload.length, 0);
  header.writeInt32LE(requestId, 4);
  header.writeInt32LE(opCode, 12);
  return Buffer.concat([header, payload]);
}

/** The body document of an OP_MSG reply. */
export const replyBody = (reply: Buffer): Document => BSON.deserialize(reply.subarray(21));

export interface RawConnection {
  /** Writes one message and resolves with the next whole reply; rejects if the server closes instead. */
  send(message: Buffer): Promise<Buffer>;
  close(): void;
}

/** A socket to the test server that speaks in whole messages, to see that it answered and kept the connection. */
export async function rawConnection(uri: string): Promise<RawConnection> {
  const socket = net.connect(hostAndPort(uri));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let pending = Buffer.alloc(0);
  let waiter: { resolve: (reply: Buffer) => void; reject: (err: Error) => void } | undefined;
  const settle = (outcome: Buffer | Error): void => {
    const current = waiter;
    waiter = undefined;
    if (outcome instanceof Error) current?.reject(outcome);
    else current?.resolve(outcome);
  };
  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    if (pending.length < 4 || pending.length < pending.readInt32LE(0)) return;
    const length = pending.readInt32LE(0);
    const reply = pending.subarray(0, length);
    pending = pending.subarray(length);
    settle(reply);
  });
  socket.on('error', () => socket.destroy());
  socket.on('close', () => settle(new Error('the server closed the connection')));
  return {
    send: (message) =>
      new Promise<Buffer>((resolve, reject) => {
        const timer = setTimeout(() => settle(new Error('no reply within 5 s')), 5_000);
        const done =
          <T>(fn: (value: T) => void) =>
          (value: T) => {
            clearTimeout(timer);
            fn(value);
          };
        waiter = { resolve: done(resolve), reject: done(reject) };
        socket.write(message);
      }),
    close: () => socket.destroy(),
  };
}
