import { randomUUID } from 'node:crypto';
import http, { STATUS_CODES } from 'node:http';
import type stream from 'node:stream';
import type { Express, RequestHandler } from 'express';
import { AppError } from '@social/common/http';
import type { Logger } from '@social/common/logger';

// Node's own choice of status for what its HTTP parser refuses (the rest are 400).
const PARSER_STATUS: Record<string, number> = {
  HPE_HEADER_OVERFLOW: 431,
  HPE_CHUNK_EXTENSIONS_OVERFLOW: 413,
  ERR_HTTP_REQUEST_TIMEOUT: 408,
};

/**
 * A request Node's HTTP parser refuses (both Content-Length and Transfer-Encoding, a bad chunk size, oversized
 * headers...) never reaches Express, and Node answers it with an empty body. At the edge it gets the usual JSON
 * error instead, unless the client is gone or a response on this connection has already started.
 */
function answerUnparsableRequests(server: http.Server, log: Logger): void {
  const inFlight = new WeakMap<stream.Duplex, http.ServerResponse>();
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    inFlight.set(req.socket, res);
    res.once('finish', () => inFlight.delete(req.socket));
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: stream.Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable || inFlight.get(socket)?.headersSent) {
      socket.destroy();
      return;
    }
    const status = PARSER_STATUS[err.code ?? ''] ?? 400;
    const requestId = randomUUID();
    const body = JSON.stringify({ success: false, message: 'Malformed HTTP request', requestId });
    log.info('malformed HTTP request refused', { requestId, status, code: err.code });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
        'Content-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-Id: ${requestId}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  });
}

// scheme "://" authority, then the path and query exactly as sent (the dot-segment guard must see them raw:
// WHATWG URL parsing would resolve `/v1/auth/../users/me` before any check ran).
const ABSOLUTE_FORM = /^https?:\/\/([^/?#]+)(.*)$/is;

/**
 * RFC 9112 §3.2.2: a server accepts a request target in absolute form (`GET http://host/v1/posts/x`, what a
 * client talking through a forward proxy sends) and takes the authority from it, not from Host. The app routes,
 * checks and rewrites the origin form: such a target is turned into it before anything reads the URL (it used to
 * reach the upstream with the scheme and host still in front of its path, which no service has a route for).
 */
function toOriginForm(req: http.IncomingMessage): void {
  const target = req.url ?? '';
  if (target.startsWith('/')) return;
  const absolute = ABSOLUTE_FORM.exec(target);
  if (!absolute) return; // `*`, or not a URL at all: the app answers it
  const [, authority = '', rest = ''] = absolute;
  req.url = rest.startsWith('/') ? rest : `/${rest}`;
  req.headers.host = authority.slice(authority.lastIndexOf('@') + 1);
}

/**
 * The public listener: request targets in absolute form become origin form, Node answers
 * `Expect: 100-continue` itself (the body then streams to the upstream), any other expectation goes to the app
 * (which refuses it in JSON, see `refuseUnknownExpectations`), and unparsable requests get a JSON error too.
 */
export function createEdgeServer(app: Express, log: Logger): http.Server {
  const handle = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    toOriginForm(req);
    app(req, res);
  };
  const server = http.createServer(handle);
  server.on('checkExpectation', handle);
  answerUnparsableRequests(server, log);
  return server;
}

// Node's own test for a 100-continue expectation (it has answered those before the app runs).
const CONTINUE = /(?:^|\W)100-continue(?:$|\W)/i;

/** RFC 9110: an expectation the server cannot meet gets a 417. */
export function refuseUnknownExpectations(): RequestHandler {
  return (req, _res, next) => {
    const expect = req.headers.expect;
    if (expect !== undefined && !CONTINUE.test(expect)) {
      throw new AppError(417, 'Only Expect: 100-continue is supported');
    }
    next();
  };
}
