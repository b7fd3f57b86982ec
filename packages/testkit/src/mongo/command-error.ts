import type { Document } from 'bson';

/** Codes the services or the driver look at; names as mongod spells them. */
export const ErrorCodes = {
  BadValue: 2,
  IllegalOperation: 20,
  FailedToParse: 9,
  TypeMismatch: 14,
  InvalidLength: 16,
  IndexNotFound: 27,
  NamespaceNotFound: 26,
  CursorNotFound: 43,
  NamespaceExists: 48,
  CommandNotFound: 59,
  ImmutableField: 66,
  InvalidOptions: 72,
  InvalidNamespace: 73,
  IndexOptionsConflict: 85,
  IndexKeySpecsConflict: 86,
  InternalError: 1,
  DuplicateKey: 11000,
} as const;

export type ErrorCodeName = keyof typeof ErrorCodes;

/** An error that becomes an `ok: 0` reply (or a write error) instead of closing the connection. */
export class CommandError extends Error {
  readonly code: number;

  constructor(
    readonly codeName: ErrorCodeName,
    message: string,
    /** Extra reply fields, e.g. keyPattern/keyValue for E11000. */
    readonly details: Document = {},
  ) {
    super(message);
    this.code = ErrorCodes[codeName];
  }

  toReply(): Document {
    return { ok: 0, errmsg: this.message, code: this.code, codeName: this.codeName, ...this.details };
  }

  toWriteError(index: number): Document {
    return { index, code: this.code, errmsg: this.message, ...this.details };
  }
}
