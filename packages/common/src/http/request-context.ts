import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { runWithContext } from '../logger';

export const REQUEST_ID_HEADER = 'x-request-id';
// Accept a caller's id only when it cannot smuggle anything into logs or headers.
const SANE_REQUEST_ID = /^[\w.:-]{1,128}$/;

export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && SANE_REQUEST_ID.test(header) ? header : randomUUID();
}

/** Gives every request an id (accepted from the caller or new), echoes it, and opens the log context. */
export function requestContext(): RequestHandler {
  return (req, res, next) => {
    runWithContext({ requestId: assignRequestId(req, res) }, next);
  };
}

/** The request's id (the caller's, if sane, or a new one): on the request, forwarded, and echoed. */
export function assignRequestId(req: Request, res: Response): string {
  const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
  req.requestId = requestId;
  req.headers[REQUEST_ID_HEADER] = requestId;
  res.setHeader(REQUEST_ID_HEADER, requestId);
  return requestId;
}
