import { randomUUID } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';

/** Framing the fetch-based client cannot produce: Expect, explicit chunks, raw bytes. */
export interface RawRequest {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  /** Sent with a Content-Length unless `chunked`. */
  body?: Buffer | string;
  /** Transfer-Encoding: chunked, the body written in these pieces (each one chunk on the wire). */
  chunks?: Array<Buffer | string>;
  /** Send `Expect: 100-continue` and hold the body back until the server's 100 arrives. */
  expectContinue?: boolean;
  timeoutMs?: number;
}

export interface RawReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Parsed when the answer is JSON, else the text. */
  body: unknown;
  /** Whether a 100 Continue came before the answer. */
  continued: boolean;
  ms: number;
}

const parseBody = (contentType: string | undefined, text: string): unknown =>
  contentType?.includes('application/json') && text ? (JSON.parse(text) as unknown) : text;

/** One request through node:http, with the framing given; every call carries its own request id. */
export function rawRequest(baseUrl: string, options: RawRequest): Promise<RawReply> {
  const url = new URL(options.path, baseUrl);
  const headers: Record<string, string | number> = {
    'x-request-id': `raw-${randomUUID()}`,
    ...options.headers,
  };
  if (options.chunks) headers['transfer-encoding'] = 'chunked';
  else if (options.body !== undefined) headers['content-length'] = Buffer.byteLength(options.body);
  if (options.expectContinue) headers.expect = '100-continue';
  const started = performance.now();
  return new Promise((resolve, reject) => {
    let continued = false;
    const req = http.request(url, {
      method: options.method ?? 'POST',
      headers,
      agent: false,
      timeout: options.timeoutMs ?? 15_000,
    });
    const sendBody = (): void => {
      for (const chunk of options.chunks ?? []) req.write(chunk);
      req.end(options.body);
    };
    req.on('timeout', () => req.destroy(new Error(`no answer within ${options.timeoutMs ?? 15_000} ms`)));
    req.on('error', reject);
    req.on('continue', () => {
      continued = true;
      sendBody();
    });
    req.on('response', (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(parts).toString();
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: parseBody(res.headers['content-type'], text),
          continued,
          ms: performance.now() - started,
        });
      });
    });
    if (options.expectContinue) req.flushHeaders();
    else sendBody();
  });
}

/** Bytes written as they are on a fresh connection (for framing Node's client refuses to produce). */
export function rawBytes(baseUrl: string, bytes: string | Buffer, timeoutMs = 15_000): Promise<RawReply> {
  const url = new URL(baseUrl);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname);
    const parts: Buffer[] = [];
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    socket.on('data', (c: Buffer) => parts.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const raw = Buffer.concat(parts).toString();
      // A 100 Continue may come first; the answer is the last status line.
      const answers = raw.split(/(?=^HTTP\/1\.1 \d{3})/m);
      const last = answers.at(-1) ?? '';
      const [head = '', ...rest] = last.split('\r\n\r\n');
      const [statusLine = '', ...headerLines] = head.split('\r\n');
      const responseHeaders: http.IncomingHttpHeaders = {};
      for (const line of headerLines) {
        const at = line.indexOf(':');
        responseHeaders[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim();
      }
      resolve({
        status: Number(statusLine.split(' ')[1] ?? 0),
        headers: responseHeaders,
        body: parseBody(responseHeaders['content-type'] as string | undefined, rest.join('\r\n\r\n')),
        continued: answers.length > 1,
        ms: performance.now() - started,
      });
    });
    // No half-close: Node's server ends a connection whose client has ended, before it can answer.
    socket.write(bytes);
  });
}
