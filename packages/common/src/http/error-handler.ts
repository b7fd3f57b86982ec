import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import mongoose from 'mongoose';
import multer from 'multer';
import type { Logger } from '../logger';
import {
  AppError,
  ConflictError,
  NotFoundError,
  PayloadTooLargeError,
  ServiceUnavailableError,
  UnsupportedMediaTypeError,
  ValidationError,
} from './errors';

export function notFound(): RequestHandler {
  return () => {
    throw new NotFoundError('Route not found');
  };
}

/** body-parser errors carry a `type` that says exactly what went wrong. */
const hasType = (err: unknown): err is { type: string } =>
  typeof err === 'object' && err !== null && typeof (err as { type?: unknown }).type === 'string';

const multerErrors: Partial<Record<multer.ErrorCode, AppError>> = {
  LIMIT_FILE_SIZE: new PayloadTooLargeError('File too large'),
  LIMIT_PART_COUNT: new PayloadTooLargeError('Too many parts in the upload'),
  LIMIT_FIELD_VALUE: new PayloadTooLargeError('Form field too large'),
};

const isDuplicateKey = (err: unknown): err is mongoose.mongo.MongoServerError =>
  err instanceof mongoose.mongo.MongoServerError && err.code === 11000;

const isMongoUnavailable = (err: unknown): boolean =>
  err instanceof mongoose.mongo.MongoNetworkError ||
  err instanceof mongoose.mongo.MongoServerSelectionError ||
  err instanceof mongoose.mongo.MongoNotConnectedError ||
  (err instanceof mongoose.Error && /before initial connection|buffering timed out/.test(err.message));

/** Turns a known library error into the AppError it means, or undefined when it is not a known one. */
function toAppError(err: unknown): AppError | undefined {
  if (err instanceof AppError) return err;
  if (hasType(err)) {
    switch (err.type) {
      case 'entity.parse.failed':
        return new ValidationError('Malformed JSON body');
      case 'entity.too.large':
        return new PayloadTooLargeError();
      case 'encoding.unsupported':
      case 'charset.unsupported':
        return new UnsupportedMediaTypeError('Unsupported body encoding');
      case 'request.aborted':
      case 'request.size.invalid':
        return new ValidationError('Incomplete request body');
    }
  }
  if (err instanceof multer.MulterError) {
    return (
      multerErrors[err.code] ??
      new ValidationError('Invalid upload', [{ path: err.field ?? 'file', reason: err.message }])
    );
  }
  if (err instanceof mongoose.Error.CastError) {
    return new ValidationError('Invalid identifier', [{ path: err.path, reason: 'must be a valid id' }]);
  }
  if (isDuplicateKey(err)) {
    const fields = Object.keys(err.keyPattern ?? {}).join(', ');
    return new ConflictError(fields ? `Already exists: ${fields}` : 'Already exists');
  }
  if (isMongoUnavailable(err)) return new ServiceUnavailableError('Database unavailable', { cause: err });
  return undefined;
}

export function sendError(res: Response, error: AppError): void {
  for (const [name, value] of Object.entries(error.headers ?? {})) res.setHeader(name, value);
  res.status(error.status).json({
    success: false,
    message: error.message,
    requestId: res.req.requestId,
    ...(error.details && error.details.length > 0 ? { details: error.details } : {}),
  });
}

/**
 * The one error handler. Known errors keep their status and a safe message; anything else is a 500 with a
 * generic message, and its stack goes only to the log.
 */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) {
      log.error('error after response started', { err });
      next(err);
      return;
    }
    const known = toAppError(err);
    if (known && known.status < 500) {
      log.debug('request rejected', { status: known.status, reason: known.message });
    } else if (known) {
      log.warn('request failed on a dependency', { status: known.status, err: known.cause ?? known });
    } else {
      log.error('unhandled error', { err, method: req.method, path: req.path });
    }
    sendError(res, known ?? new AppError(500, 'Internal server error'));
  };
}
