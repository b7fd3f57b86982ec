import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import cors from 'cors';
import type { RequestHandler } from 'express';

/** Static CORS settings only: no per-request function, so one request without Origin stands for all of them. */
export interface StaticCorsOptions {
  origin: string[];
  exposedHeaders: string[];
  maxAge: number;
}

/**
 * Of what `cors(options)` sets on a non-preflight request without Origin, what such an answer needs, with the
 * names' case: `Vary: Origin` (a cache must not hand it to a browser's cross-origin request). Its
 * Access-Control-* headers are left off: a browser reads them only on an answer to a request with an Origin.
 */
function headersWithoutOrigin(options: StaticCorsOptions): [string, string | string[]][] {
  const probe = new ServerResponse(new IncomingMessage(new Socket()));
  probe.req.method = 'GET';
  // In the order and spelling cors used (the wire keeps a header name's case).
  const names: string[] = [];
  const setHeader = probe.setHeader.bind(probe);
  probe.setHeader = (name, value) => {
    if (!names.some((n) => n.toLowerCase() === name.toLowerCase())) names.push(name);
    return setHeader(name, value);
  };
  let failed: unknown;
  cors(options)(probe.req, probe, (err?: unknown) => {
    failed = err;
  });
  if (failed !== undefined) throw failed;
  return names
    .filter((name) => !/^access-control-/i.test(name))
    .map((name) => {
      const value = probe.getHeader(name);
      return [name, Array.isArray(value) ? value : String(value)];
    });
}

/**
 * cors(options), with a fast path for what nearly every request is: no Origin header (servers, apps, curl; a
 * browser sends Origin on every cross-origin request) and not a preflight. cors' answer to those does not depend
 * on the request, so it is worked out once and set directly (less what only a CORS check reads). Preflights,
 * requests with an Origin, and a response that already has a Vary (cors would append to it) go through cors.
 */
export function corsHeaders(options: StaticCorsOptions): RequestHandler {
  const full = cors(options);
  const fixed = headersWithoutOrigin(options);
  return (req, res, next) => {
    if (req.headers.origin !== undefined || req.method === 'OPTIONS' || res.hasHeader('vary')) {
      full(req, res, next);
      return;
    }
    for (const [name, value] of fixed) res.setHeader(name, value);
    next();
  };
}
