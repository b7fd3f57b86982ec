export interface ErrorDetail {
  path: string;
  reason: string;
}

interface AppErrorOptions {
  details?: ErrorDetail[];
  headers?: Record<string, string>;
  cause?: unknown;
}

/** An error whose status and message are safe to send to the client as they are. */
export class AppError extends Error {
  readonly details?: ErrorDetail[];
  readonly headers?: Record<string, string>;

  constructor(
    readonly status: number,
    message: string,
    options: AppErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.details = options.details;
    this.headers = options.headers;
  }
}

export class ValidationError extends AppError {
  constructor(message: string, details: ErrorDetail[] = []) {
    super(400, message, { details });
  }
}

export class UnauthorizedError extends AppError {
  /** RFC 6750: no credentials get a bare challenge; bad credentials say `invalid_token`. */
  constructor(message = 'Authentication required', options: { invalidToken?: boolean } = {}) {
    super(401, message, {
      headers: { 'WWW-Authenticate': options.invalidToken ? 'Bearer error="invalid_token"' : 'Bearer' },
    });
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'Forbidden') {
    super(403, message);
  }
}

export class NotFoundError extends AppError {
  constructor(message = 'Not found') {
    super(404, message);
  }
}

export class ConflictError extends AppError {
  constructor(message: string) {
    super(409, message);
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(message = 'Request body too large') {
    super(413, message);
  }
}

export class UnsupportedMediaTypeError extends AppError {
  constructor(message = 'Unsupported media type') {
    super(415, message);
  }
}

export class TooManyRequestsError extends AppError {
  constructor(message = 'Too many requests, please try again later', retryAfterSeconds?: number) {
    super(429, message, retryAfterSeconds ? { headers: { 'Retry-After': String(retryAfterSeconds) } } : {});
  }
}

/** A dependency answered badly (storage, another service): the client gets 502 and the cause stays in the log. */
export class UpstreamError extends AppError {
  constructor(message = 'Upstream service error', options: { cause?: unknown } = {}) {
    super(502, message, options);
  }
}

export class ServiceUnavailableError extends AppError {
  constructor(message = 'Service temporarily unavailable', options: { cause?: unknown } = {}) {
    super(503, message, options);
  }
}

export class GatewayTimeoutError extends AppError {
  constructor(message = 'Upstream service timed out') {
    super(504, message);
  }
}
