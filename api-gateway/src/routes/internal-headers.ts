import type { RequestHandler } from 'express';

// Headers upstreams may read as gateway-asserted facts; only the gateway sets them, never a client.
const INTERNAL_HEADER = /^x-(user|internal)(-|$)/i;

/** Drops every client-sent internal header (x-user-id, x-user-*, x-internal-*) before anything is proxied. */
export function stripInternalHeaders(): RequestHandler {
  return (req, _res, next) => {
    for (const name of Object.keys(req.headers)) {
      if (INTERNAL_HEADER.test(name)) delete req.headers[name];
    }
    next();
  };
}
