import type { RequestHandler } from 'express';
import { ValidationError } from '@social/common/http';

// `..` or `.` segments (also percent-encoded) could walk a public prefix into a protected one upstream. A
// backslash delimits them too: URL parsers on the way (WHATWG's, and Node's legacy one) read it as a slash.
const DOT_SEGMENT = /(^|[/\\])(\.|%2e){1,2}([/\\]|$|\?)/i;

/** A path with dot segments is refused before any area (and its authentication rule) is picked by prefix. */
export const rejectDotSegments: RequestHandler = (req, _res, next) => {
  if (DOT_SEGMENT.test(req.path)) throw new ValidationError('Invalid path');
  next();
};

// Headers upstreams may read as gateway-asserted facts; only the gateway sets them, never a client.
const INTERNAL_HEADER = /^x-(user|internal)(-|$)/i;

/** Drops every client-sent internal header (x-user-id, x-user-*, x-internal-*) before anything is proxied. */
export const stripInternalHeaders: RequestHandler = (req, _res, next) => {
  for (const name of Object.keys(req.headers)) {
    if (INTERNAL_HEADER.test(name)) delete req.headers[name];
  }
  next();
};
