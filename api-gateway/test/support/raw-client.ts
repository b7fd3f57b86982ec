import net from 'node:net';

export interface RawAnswer {
  /** Every status line the server sent, in order (a 100 Continue comes before the final one). */
  statuses: number[];
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface RawExchange {
  /** Request line and headers, without the blank line that ends them. */
  head: string[];
  /** Body bytes exactly as they go on the wire (chunk framing included when the head says chunked). */
  body?: Buffer | string;
  /** Hold the body back until the server has sent its 100 Continue. */
  afterContinue?: boolean;
}

function parse(raw: string): RawAnswer {
  const statuses = [...raw.matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((m) => Number(m[1]));
  const final = raw.slice(raw.lastIndexOf('HTTP/1.1 '));
  const split = final.indexOf('\r\n\r\n');
  const [, ...lines] = final.slice(0, split).split('\r\n');
  const headers = Object.fromEntries(
    lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
  );
  return { statuses, status: statuses.at(-1) ?? 0, headers, body: final.slice(split + 4) };
}

/**
 * One request as raw bytes on its own connection (`Connection: close` is added), for framing an HTTP client
 * library would normalise away: Expect with a real wait for the 100, explicit chunks, conflicting lengths.
 */
export function exchange(port: number, request: RawExchange): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let raw = '';
    let bodySent = false;
    // No half-close: Node's server ends a connection whose client has ended, before it can answer.
    const sendBody = (): void => {
      bodySent = true;
      socket.write(request.body ?? '');
    };
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer in 10 s')));
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      raw += chunk.toString('latin1');
      if (!bodySent && /^HTTP\/1\.1 100/m.test(raw)) sendBody();
    });
    socket.on('close', () => resolve(parse(raw)));
    socket.write(`${[...request.head, 'Connection: close'].join('\r\n')}\r\n\r\n`);
    if (!request.afterContinue) sendBody();
  });
}

/** `Transfer-Encoding: chunked` framing of these pieces, terminating chunk included. */
export const chunked = (pieces: Array<Buffer | string>): Buffer =>
  Buffer.concat([
    ...pieces.flatMap((p) => {
      const bytes = Buffer.from(p);
      return [Buffer.from(`${bytes.length.toString(16)}\r\n`), bytes, Buffer.from('\r\n')];
    }),
    Buffer.from('0\r\n\r\n'),
  ]);
