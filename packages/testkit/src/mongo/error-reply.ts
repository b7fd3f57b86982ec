import type { Document } from 'bson';
import { MingoError } from 'mingo/util';
import { CommandError } from './command-error';

/**
 * The client's fault, as a mongod-shaped error: our own CommandErrors, mingo's validation of operators it does
 * not know or cannot parse (mongod answers those with BadValue), and a `$regex` that does not compile.
 * Anything else is a bug in this server and returns undefined.
 */
export function asClientError(err: unknown): CommandError | undefined {
  if (err instanceof CommandError) return err;
  if (err instanceof MingoError) return new CommandError('BadValue', err.message);
  if (err instanceof SyntaxError && err.message.startsWith('Invalid regular expression')) {
    return new CommandError('Location51091', `Regular expression is invalid: ${err.message}`);
  }
  return undefined;
}

/**
 * The reply for anything a command threw. A bug of the server itself is InternalError (code 1), as mongod
 * reports its own invariant failures, never BadValue: a test must not read our defect as its bad input.
 */
export function errorReply(err: unknown): Document {
  const clientError = asClientError(err);
  if (clientError) return clientError.toReply();
  const detail = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return new CommandError('InternalError', `in-memory test server internal error: ${detail}`).toReply();
}
