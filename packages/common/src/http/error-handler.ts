import { STATUS_CODES } from 'node:http';
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { Logger } from '../logger';
import { INVALID_UTF8 } from './body';
import {
  AppError,
  NotFoundError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
} from './errors';

/**
 * Turns an error some library threw into the AppError it means, or undefined when it is not one it knows.
 * Services register the mappers of the libraries they use (`mongoErrors` from `@social/common/mongo`, their
 * upload parser's), so a process never loads a library only to recognise its errors.
 */
export type ErrorMapper = (err: unknown) => AppError | undefined;

/** The most validation details one answer lists: a body with 9,000 unknown keys must not get a 484 KB reply. */
export const MAX_ERROR_DETAILS = 20;

export function notFound(): RequestHandler {
  return () => {
    throw new NotFoundError('Route not found');
  };
}

const field = (err: unknown, name: string): unknown =>
  typeof err === 'object' && err !== null ? (err as Record<string, unknown>)[name] : undefined;

/** body-parser's error types, each a client mistake with its own answer. */
const bodyParserErrors: Record<string, () => AppError> = {
  'entity.parse.failed': () => new ValidationError('Malformed JSON body'),
  [INVALID_UTF8]: () => new ValidationError('Malformed JSON body: not valid UTF-8'),
  'entity.too.large': () => new PayloadTooLargeError(),
  'entity.verify.failed': () => new ValidationError('Request body rejected'),
  'encoding.unsupported': () => new UnsupportedMediaTypeError('Unsupported body encoding'),
  'charset.unsupported': () => new UnsupportedMediaTypeError('Unsupported body charset'),
  'request.aborted': () => new ValidationError('Incomplete request body'),
  'request.size.invalid': () => new ValidationError('Incomplete request body'),
  'stream.encoding.set': () => new ValidationError('Unreadable request body'),
  'parameters.too.many': () => new PayloadTooLargeError('Too many parameters'),
};

/** body-parser hands a corrupt gzip/deflate/br/zstd body on as zlib's own error (errno, status 400, no type). */
const isDecompressionError = (err: unknown): boolean =>
  err instanceof Error && field(err, 'status') === 400 && typeof field(err, 'errno') === 'number';

/**
 * The 4xx status that body-parser, the router (a malformed percent-encoding in a path parameter), raw-body
 * and http-errors attach. Their messages can echo client input, so the answer uses the status's own phrase.
 */
function clientStatusError(err: unknown): AppError | undefined {
  const status = field(err, 'status') ?? field(err, 'statusCode');
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 400 || status > 499)
    return undefined;
  if (err instanceof URIError) return new ValidationError('Malformed percent-encoding in the URL');
  if (status === 413) return new PayloadTooLargeError();
  if (status === 415) return new UnsupportedMediaTypeError();
  return new AppError(status, STATUS_CODES[status] ?? 'Bad request');
}

/** What every service understands without any library: our own errors and the HTTP stack's client errors. */
function toAppError(err: unknown, mappers: readonly ErrorMapper[]): AppError | undefined {
  if (err instanceof AppError) return err;
  const type = field(err, 'type');
  const bodyError = typeof type === 'string' ? bodyParserErrors[type] : undefined;
  if (bodyError) return bodyError();
  if (isDecompressionError(err)) return new ValidationError('Malformed compressed body');
  for (const map of mappers) {
    const mapped = map(err);
    if (mapped) return mapped;
  }
  return clientStatusError(err);
}

export function sendError(res: Response, error: AppError): void {
  for (const [name, value] of Object.entries(error.headers ?? {})) res.setHeader(name, value);
  const details = error.details ?? [];
  const shown = details.slice(0, MAX_ERROR_DETAILS);
  res.status(error.status).json({
    success: false,
    message:
      shown.length < details.length
        ? `${error.message} (${shown.length} of ${details.length} problems listed)`
        : error.message,
    requestId: res.req.requestId,
    ...(shown.length > 0 ? { details: shown } : {}),
  });
}

/**
 * The one error handler. Known errors keep their status and a safe message; a client's mistake is logged
 * once, by the access log, with its reason and no stack. A dependency failure (5xx AppError) is a warning;
 * anything else is a 500 with a generic message, and its stack goes only to the log, at error.
 */
export function errorHandler(log: Logger, mappers: readonly ErrorMapper[] = []): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) {
      log.error('error after response started', { err });
      next(err);
      return;
    }
    const known = toAppError(err, mappers);
    if (known && known.status < 500) {
      res.locals.rejection = known.message;
    } else if (known) {
      log.warn('request failed on a dependency', { status: known.status, err: known.cause ?? known });
    } else {
      log.error('unhandled error', { err, method: req.method, path: req.path });
    }
    sendError(res, known ?? new AppError(500, 'Internal server error'));
  };
}
