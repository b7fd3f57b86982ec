import { createHash } from 'node:crypto';
import http from 'node:http';
import express from 'express';
import { closeServer, listen } from '@social/common/lifecycle';

export interface EchoedRequest {
  method: string;
  path: string;
  query: Record<string, unknown>;
  headers: http.IncomingHttpHeaders;
  bodyBytes: number;
  bodySha256: string;
  body: string;
}

export interface UpstreamStub {
  url: string;
  /** Every request the stub finished reading, in order. */
  received: EchoedRequest[];
  /** Body bytes read so far by requests still streaming in: proves the gateway does not buffer. */
  bytesInFlight(): number;
  close(): Promise<void>;
}

/**
 * A stand-in service: answers every path with what it received (method, path, query, headers, body length and
 * hash). `/api/*\/hang` never answers (for timeouts); `/health` is its probe.
 */
export async function startUpstreamStub(): Promise<UpstreamStub> {
  const received: EchoedRequest[] = [];
  let inFlight = 0;
  const app = express();
  app.get('/health', (_req, res) => {
    res.json({ success: true, status: 'ok' });
  });
  app.all('/{*splat}', (req, res) => {
    const hash = createHash('sha256');
    const chunks: Buffer[] = [];
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      inFlight += chunk.length;
      hash.update(chunk);
      if (bytes <= 64 * 1024) chunks.push(chunk);
    });
    req.on('end', () => {
      inFlight -= bytes;
      const echo: EchoedRequest = {
        method: req.method,
        path: req.path,
        query: req.query as Record<string, unknown>,
        headers: req.headers,
        bodyBytes: bytes,
        bodySha256: hash.digest('hex'),
        body: bytes <= 64 * 1024 ? Buffer.concat(chunks).toString() : '',
      };
      received.push(echo);
      if (req.path.endsWith('/hang')) return;
      res.setHeader('x-upstream', 'stub');
      res.json({ success: true, echo });
    });
  });
  const server = http.createServer(app);
  const port = await listen(server, 0, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    bytesInFlight: () => inFlight,
    close: async () => {
      server.closeAllConnections();
      await closeServer(server);
    },
  };
}

/** A port nothing listens on: opened, then closed again. */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  const port = await listen(server, 0, '127.0.0.1');
  await closeServer(server);
  return port;
}
