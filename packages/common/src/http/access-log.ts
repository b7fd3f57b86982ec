import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from '../logger';

const QUIET_PATHS = new Set(['/health', '/ready', '/metrics']);

/**
 * The access-log line of a finished request; probes only at debug so they do not drown the log. A request the
 * error handler rejected (4xx) carries the reason, so a client's mistake is one line without a stack.
 */
export function logRequest(log: Logger, req: Request, res: Response, durationMs: number): void {
  const url = req.originalUrl;
  const query = url.indexOf('?');
  // originalUrl keeps the router mount (/api/posts/...); the query string stays out of the log.
  const path = query === -1 ? url : url.slice(0, query);
  const level = QUIET_PATHS.has(path) ? 'debug' : 'info';
  // 'finish' may fire outside the request's async context, so name the ids explicitly.
  log.log(level, 'request completed', {
    requestId: req.requestId,
    userId: req.user?.id,
    method: req.method,
    path,
    status: res.statusCode,
    durationMs: Math.round(durationMs * 10) / 10,
    ...(typeof res.locals.rejection === 'string' ? { reason: res.locals.rejection } : {}),
  });
}

/** One line per finished request (see `logRequest`). */
export function accessLog(log: Logger): RequestHandler {
  return (req, res, next) => {
    const start = process.hrtime.bigint();
    res.on('finish', () => logRequest(log, req, res, Number(process.hrtime.bigint() - start) / 1e6));
    next();
  };
}
