import type { Document } from 'bson';

/**
 * Codes as mongod 7 spells them (src/mongo/base/error_codes.yml). A `Location<N>` name is what mongod reports
 * as `codeName` for an assertion without a named code, e.g. IDL's "is an unknown field" (40415).
 */
export const ErrorCodes = {
  InternalError: 1,
  BadValue: 2,
  FailedToParse: 9,
  TypeMismatch: 14,
  InvalidLength: 16,
  IllegalOperation: 20,
  InvalidBSON: 22,
  NamespaceNotFound: 26,
  IndexNotFound: 27,
  ConflictingUpdateOperators: 40,
  CursorNotFound: 43,
  NamespaceExists: 48,
  MaxTimeMSExpired: 50,
  CommandNotFound: 59,
  ImmutableField: 66,
  CannotCreateIndex: 67,
  InvalidOptions: 72,
  InvalidNamespace: 73,
  IndexOptionsConflict: 85,
  IndexKeySpecsConflict: 86,
  InvalidIndexSpecificationOption: 197,
  /** What the in-memory server answers for a mongod feature it does not implement (see README). */
  NotImplemented: 238,
  NoQueryExecutionPlans: 291,
  UnsupportedOpQueryCommand: 352,
  DuplicateKey: 11000,
  BSONObjectTooLarge: 10334,
  /** "found language override field in document with non-string type" */
  Location17261: 17261,
  /** "language override unsupported: <language>" */
  Location17262: 17262,
  /** "$match with $text is only allowed as the first pipeline stage" */
  Location17313: 17313,
  /** "Resulting document after update is larger than 16777216" */
  Location17419: 17419,
  /** "Document to upsert is larger than 16777216" */
  Location17420: 17420,
  /** "query requires text score metadata, but it is not available" */
  Location40218: 40218,
  /** OP_MSG framing: "Multiple body sections in message" */
  Location40430: 40430,
  /** OP_MSG framing: "Unknown section kind <n>" */
  Location40432: 40432,
  /** OP_MSG framing: "OP_MSG requests require a $db argument" */
  Location40571: 40571,
  /** OP_MSG framing: "OP_MSG messages must have a body" */
  Location40587: 40587,
  /** IDL: "BSON field '<command>.<field>' is an unknown field." */
  Location40415: 40415,
  /** IDL: "BSON field '<field>' value must be >= 0, actual value '<n>'" */
  Location51024: 51024,
  /** "Regular expression is invalid: ..." */
  Location51091: 51091,
  /** "invalid argument to $skip stage: Expected a non-negative number in: ..." */
  Location5107200: 5107200,
  /** "invalid argument to $limit stage: Expected a non-negative number in: ..." */
  Location5107201: 5107201,
  /** "the limit must be positive" ($limit: 0) */
  Location15958: 15958,
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

/**
 * The loud refusal for something mongod supports and this server does not implement: better a failing test
 * that names the feature than a passing one that relied on a silently ignored option.
 */
export function notImplemented(feature: string, why?: string): CommandError {
  const reason = why ? ` (${why})` : '';
  return new CommandError(
    'NotImplemented',
    `${feature} is not supported by the in-memory test server${reason}`,
  );
}
