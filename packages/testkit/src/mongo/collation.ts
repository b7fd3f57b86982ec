import { CommandError, notImplemented } from './command-error';
import { isPlainObject } from './values';

/**
 * `{locale: 'simple'}` is mongod's binary comparison, which is all this server does, so it is accepted; any
 * other collation would change what matches and how results sort, and is refused instead of ignored.
 */
export function rejectCollation(collation: unknown): void {
  if (collation === undefined) return;
  if (!isPlainObject(collation)) {
    throw new CommandError(
      'TypeMismatch',
      "BSON field 'collation' is the wrong type, expected type 'object'",
    );
  }
  const keys = Object.keys(collation);
  if (keys.length === 1 && collation.locale === 'simple') return;
  throw notImplemented('collation');
}
