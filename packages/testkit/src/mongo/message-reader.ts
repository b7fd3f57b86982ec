import { validateMessageLength } from './wire';

/**
 * Reassembles wire messages from socket chunks without re-copying the buffer on every chunk, so a large
 * insert arriving in 64 KiB pieces costs one copy, not one per piece.
 */
export class MessageReader {
  private chunks: Buffer[] = [];
  private total = 0;

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.total += chunk.length;
  }

  /** The next complete message, or undefined; throws WireProtocolError for an impossible length. */
  next(): Buffer | undefined {
    if (this.total < 4) return undefined;
    if ((this.chunks[0] as Buffer).length < 4) this.flatten();
    const head = this.chunks[0] as Buffer;
    const length = validateMessageLength(head.readInt32LE(0));
    if (this.total < length) return undefined;
    const buf = head.length >= length ? head : this.flatten();
    const message = buf.subarray(0, length);
    const rest = buf.subarray(length);
    this.chunks.shift();
    if (rest.length) this.chunks.unshift(rest);
    this.total -= length;
    return message;
  }

  private flatten(): Buffer {
    const all = Buffer.concat(this.chunks, this.total);
    this.chunks = [all];
    return all;
  }
}
