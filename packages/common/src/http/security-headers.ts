import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import type { RequestHandler } from 'express';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * helmet's headers, worked out once: with options that hold no per-request function (the defaults), helmet
 * sets the same values on every response, through a chain of a dozen middlewares. This sets the recorded
 * headers directly. Same names, same values.
 */
export function securityHeaders(options?: HelmetOptions): RequestHandler {
  const probe = new ServerResponse(new IncomingMessage(new Socket()));
  let failed: unknown;
  helmet(options)(probe.req, probe, (err?: unknown) => {
    failed = err;
  });
  if (failed !== undefined) throw failed;
  const headers = Object.entries(probe.getHeaders()).map(
    ([name, value]) => [name, Array.isArray(value) ? value : String(value)] as const,
  );
  return (_req, res, next) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    next();
  };
}
