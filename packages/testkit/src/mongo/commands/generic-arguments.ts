import type { Document } from 'bson';
import { CommandError, notImplemented } from '../command-error';
import { isPlainObject } from '../values';
import type { CommandSpec } from './command-context';

/**
 * The arguments any command may carry (mongod's generic_argument.idl) that the driver and mongoose send.
 * On a standalone they are either honoured or provably change nothing:
 * - `$db`, `lsid` (sessions exist only to be ended), `$readPreference` (a standalone serves every mode),
 *   `$clusterTime` (never handed out, so never sent back), `comment` (shows up only in mongod's logs).
 * - `maxTimeMS`: the command runs to completion, then fails with MaxTimeMSExpired if it took longer.
 * - `readConcern` local/available/majority and `writeConcern` w 0/1/majority, j, wtimeout, fsync: with one
 *   copy of the data every one of them is already satisfied; the stricter ones are refused.
 * - `apiVersion: "1"`, `apiDeprecationErrors`: every command here behaves as API version 1 does.
 * - `txnNumber`, `autocommit`, `startTransaction`: refused as a standalone mongod refuses them.
 */
const GENERIC_ARGUMENTS = new Set([
  '$db',
  'lsid',
  '$readPreference',
  '$clusterTime',
  'comment',
  'maxTimeMS',
  'readConcern',
  'writeConcern',
  'apiVersion',
  'apiStrict',
  'apiDeprecationErrors',
  'txnNumber',
  'autocommit',
  'startTransaction',
]);

export const isGenericArgument = (field: string): boolean => GENERIC_ARGUMENTS.has(field);

const READ_CONCERN_FIELDS = new Set(['level', 'provenance']);
const WRITE_CONCERN_FIELDS = new Set(['w', 'j', 'wtimeout', 'fsync', 'provenance']);

/** Validates the generic arguments of `cmd`; returns maxTimeMS when one was given (0 means none). */
export function checkGenericArguments(name: string, cmd: Document, spec: CommandSpec): number {
  if (cmd.txnNumber !== undefined || cmd.autocommit !== undefined || cmd.startTransaction !== undefined) {
    throw new CommandError(
      'IllegalOperation',
      'Transaction numbers are only allowed on a replica set member or mongos',
    );
  }
  if (cmd.readConcern !== undefined) checkReadConcern(name, cmd.readConcern, spec.reads === true);
  if (cmd.writeConcern !== undefined) checkWriteConcern(cmd.writeConcern);
  if (cmd.apiVersion !== undefined && cmd.apiVersion !== '1') {
    throw notImplemented(`apiVersion ${String(cmd.apiVersion)}`);
  }
  if (cmd.apiStrict === true) throw notImplemented('apiStrict');
  return maxTimeMS(cmd.maxTimeMS);
}

function maxTimeMS(value: unknown): number {
  if (value === undefined || value === null) return 0;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new CommandError('BadValue', 'maxTimeMS must be a non-negative integer');
  }
  if (value < 0) {
    throw new CommandError('BadValue', `BSON field 'maxTimeMS' value must be >= 0, actual value '${value}'`);
  }
  return value;
}

function checkReadConcern(name: string, readConcern: unknown, reads: boolean): void {
  if (!isPlainObject(readConcern)) throw new CommandError('TypeMismatch', 'readConcern must be an object');
  for (const field of Object.keys(readConcern)) {
    if (!READ_CONCERN_FIELDS.has(field)) throw notImplemented(`readConcern.${field}`);
  }
  const level: unknown = readConcern.level ?? 'local';
  if (level === 'snapshot' || level === 'linearizable') throw notImplemented(`readConcern level '${level}'`);
  if (level !== 'local' && level !== 'available' && level !== 'majority') {
    throw new CommandError('FailedToParse', `${String(level)} is not a valid read concern level`);
  }
  if (!reads && level !== 'local') {
    throw new CommandError(
      'InvalidOptions',
      `Command ${name} does not support { readConcern: { level: "${level}" } }`,
    );
  }
}

function checkWriteConcern(writeConcern: unknown): void {
  if (!isPlainObject(writeConcern)) throw new CommandError('TypeMismatch', 'writeConcern must be an object');
  for (const field of Object.keys(writeConcern)) {
    if (!WRITE_CONCERN_FIELDS.has(field)) throw notImplemented(`writeConcern.${field}`);
  }
  const { w } = writeConcern;
  if (w === undefined || w === 0 || w === 1 || w === 'majority') return;
  throw notImplemented(
    `writeConcern w: ${JSON.stringify(w)}`,
    'a standalone has no other members to wait for',
  );
}
