import type { Document } from 'bson';
import { CommandError } from '../command-error';
import type { CursorRegistry } from '../cursor-registry';
import type { Store } from '../store';
import { isPlainObject } from '../values';

export interface CommandContext {
  store: Store;
  cursors: CursorRegistry;
  /** From `$db` (OP_MSG) or the namespace (OP_QUERY). */
  db: string;
  connectionId: number;
}

/** Commands are synchronous: each one runs to completion before the next, which makes findAndModify atomic. */
export type CommandHandler = (cmd: Document, ctx: CommandContext) => Document;

export function collectionName(cmd: Document, command: string): string {
  const name: unknown = cmd[command];
  if (typeof name !== 'string' || !name) {
    throw new CommandError('InvalidNamespace', `collection name has invalid type ${typeof name}`);
  }
  return name;
}

export function optionalDocument(cmd: Document, field: string): Document | undefined {
  const value: unknown = cmd[field];
  if (value === undefined || value === null) return undefined;
  if (!isPlainObject(value)) throw new CommandError('TypeMismatch', `${field} must be an object`);
  return value;
}

export function optionalNumber(cmd: Document, field: string): number | undefined {
  const value: unknown = cmd[field];
  if (value === undefined || value === null) return undefined;
  const n = typeof value === 'object' && 'toNumber' in value ? Number(String(value)) : Number(value);
  if (!Number.isFinite(n)) throw new CommandError('TypeMismatch', `${field} must be a number`);
  return n;
}

export function documentArray(cmd: Document, field: string): Document[] {
  const value: unknown = cmd[field];
  if (!Array.isArray(value) || !value.every(isPlainObject)) {
    throw new CommandError('TypeMismatch', `${field} must be an array of objects`);
  }
  return value;
}
