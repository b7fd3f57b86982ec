import { BSON, type Document } from 'bson';
import { CommandError } from './command-error';

export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_MSG = 2013;

const HEADER_BYTES = 16;
/** Matches the maxMessageSizeBytes we advertise in hello; anything larger is a broken or hostile peer. */
export const MAX_MESSAGE_BYTES = 48_000_000;

const CHECKSUM_PRESENT = 1 << 0;
const MORE_TO_COME = 1 << 1;
const KNOWN_FLAGS = CHECKSUM_PRESENT | MORE_TO_COME | (1 << 16); // bit 16: exhaustAllowed

/** A request the server can answer: the command document plus how to frame the reply. */
export interface WireRequest {
  requestId: number;
  opCode: typeof OP_QUERY | typeof OP_MSG;
  /** For OP_QUERY: the namespace, e.g. `admin.$cmd`. */
  namespace?: string;
  command: Document;
  /** The client set moreToCome: it will not read a reply (unacknowledged writes). */
  moreToCome: boolean;
}

/**
 * Thrown for bytes that cannot be a valid message. Like mongod, the server answers a well-framed OP_MSG whose
 * content is bad (corrupt BSON, two bodies, no `$db`) with `reply` and keeps the connection; a broken frame or
 * unknown required flag bits leave no safe way to continue, so that connection is closed.
 */
export class WireProtocolError extends Error {
  constructor(
    message: string,
    readonly reply?: CommandError,
  ) {
    super(message);
  }
}

const invalidBson = (message: string): WireProtocolError =>
  new WireProtocolError(message, new CommandError('InvalidBSON', message));

/**
 * Promoted values (numbers instead of Int32/Double/Long wrappers) are what mingo compares; the cost is that
 * a stored double like 1.0 comes back as an int32, which no mongoose schema can tell apart.
 */
const DESERIALIZE_OPTIONS = { promoteValues: true } as const;

export function validateMessageLength(length: number): number {
  if (length < HEADER_BYTES || length > MAX_MESSAGE_BYTES) {
    throw new WireProtocolError(`invalid message length ${length}`);
  }
  return length;
}

export function parseMessage(msg: Buffer): WireRequest {
  const requestId = msg.readInt32LE(4);
  const opCode = msg.readInt32LE(12);
  if (opCode === OP_MSG) return parseOpMsg(msg, requestId);
  if (opCode === OP_QUERY) return parseOpQuery(msg, requestId);
  throw new WireProtocolError(`unsupported opCode ${opCode}`);
}

function readDocument(msg: Buffer, offset: number, end: number): { doc: Document; next: number } {
  if (offset + 5 > end) throw invalidBson('truncated BSON document in OP_MSG');
  const size = msg.readInt32LE(offset);
  if (size < 5 || offset + size > end) throw invalidBson(`BSON document size ${size} is out of bounds`);
  try {
    const doc = BSON.deserialize(msg.subarray(offset, offset + size), DESERIALIZE_OPTIONS);
    return { doc, next: offset + size };
  } catch (err) {
    throw invalidBson(`invalid BSON in OP_MSG: ${(err as Error).message}`);
  }
}

const locationError = (
  codeName: 'Location40430' | 'Location40432' | 'Location40587' | 'Location40571',
  message: string,
): WireProtocolError => new WireProtocolError(message, new CommandError(codeName, message));

function readCString(msg: Buffer, offset: number, end: number): { value: string; next: number } {
  const zero = msg.indexOf(0, offset);
  if (zero < 0 || zero >= end) throw new WireProtocolError('unterminated cstring');
  return { value: msg.toString('utf8', offset, zero), next: zero + 1 };
}

function parseOpMsg(msg: Buffer, requestId: number): WireRequest {
  if (msg.length < HEADER_BYTES + 5) throw invalidBson('OP_MSG too short');
  const flags = msg.readUInt32LE(16);
  // Unknown required bits (0-15) must make the server refuse the message; optional bits may be ignored.
  // A CRC32C checksum, when present, is skipped, not verified: loopback TCP does not corrupt bytes.
  if ((flags & 0xffff & ~KNOWN_FLAGS) !== 0) throw new WireProtocolError(`unknown OP_MSG flags ${flags}`);
  const end = flags & CHECKSUM_PRESENT ? msg.length - 4 : msg.length;
  let offset = HEADER_BYTES + 4;
  let body: Document | undefined;
  const sequences: Array<[string, Document[]]> = [];
  while (offset < end) {
    const kind = msg[offset];
    offset += 1;
    if (kind === 0) {
      if (body) throw locationError('Location40430', 'Multiple body sections in message');
      const { doc, next } = readDocument(msg, offset, end);
      body = doc;
      offset = next;
    } else if (kind === 1) {
      if (offset + 4 > end) throw invalidBson('truncated document sequence');
      const sectionEnd = offset + msg.readInt32LE(offset);
      if (sectionEnd > end || sectionEnd <= offset + 4) throw invalidBson('bad document sequence size');
      const id = readCString(msg, offset + 4, sectionEnd);
      const docs: Document[] = [];
      let pos = id.next;
      while (pos < sectionEnd) {
        const { doc, next } = readDocument(msg, pos, sectionEnd);
        docs.push(doc);
        pos = next;
      }
      sequences.push([id.value, docs]);
      offset = sectionEnd;
    } else {
      throw locationError('Location40432', `Unknown section kind ${String(kind)}`);
    }
  }
  if (!body) throw locationError('Location40587', 'OP_MSG messages must have a body');
  if (typeof body.$db !== 'string' || !body.$db) {
    throw locationError('Location40571', 'OP_MSG requests require a $db argument');
  }
  for (const [identifier, docs] of sequences) body[identifier] = docs;
  return { requestId, opCode: OP_MSG, command: body, moreToCome: (flags & MORE_TO_COME) !== 0 };
}

function parseOpQuery(msg: Buffer, requestId: number): WireRequest {
  const ns = readCString(msg, HEADER_BYTES + 4, msg.length);
  const query = readDocument(msg, ns.next + 8, msg.length).doc;
  // Legacy clients may wrap the command together with read preference in $query.
  const wrapped: unknown = query.$query;
  const command = wrapped && typeof wrapped === 'object' ? (wrapped as Document) : query;
  return { requestId, opCode: OP_QUERY, namespace: ns.value, command, moreToCome: false };
}

function writeHeader(
  buf: Buffer,
  length: number,
  requestId: number,
  responseTo: number,
  opCode: number,
): void {
  buf.writeInt32LE(length, 0);
  buf.writeInt32LE(requestId, 4);
  buf.writeInt32LE(responseTo, 8);
  buf.writeInt32LE(opCode, 12);
}

export function encodeOpMsg(reply: Document, requestId: number, responseTo: number): Buffer {
  const body = BSON.serialize(reply);
  // One allocation for the whole message: replies are on the hot path of every request.
  const message = Buffer.allocUnsafe(HEADER_BYTES + 5 + body.length);
  writeHeader(message, message.length, requestId, responseTo, OP_MSG);
  message.writeUInt32LE(0, HEADER_BYTES); // flagBits
  message[HEADER_BYTES + 4] = 0; // section kind 0: the body
  message.set(body, HEADER_BYTES + 5);
  return message;
}

export function encodeOpReply(reply: Document, requestId: number, responseTo: number): Buffer {
  const body = BSON.serialize(reply);
  // responseFlags, cursorID (int64) and startingFrom stay 0; one document follows.
  const message = Buffer.alloc(HEADER_BYTES + 20 + body.length);
  writeHeader(message, message.length, requestId, responseTo, OP_REPLY);
  message.writeInt32LE(1, HEADER_BYTES + 16); // numberReturned
  message.set(body, HEADER_BYTES + 20);
  return message;
}
