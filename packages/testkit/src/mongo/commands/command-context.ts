import type { Document } from 'bson';
import { CommandError, notImplemented } from '../command-error';
import type { CursorRegistry } from '../cursor-registry';
import type { QueryTarget } from '../query-engine';
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

/**
 * A command and the fields it takes besides its own name and the generic arguments (see generic-arguments.ts):
 * an unknown field gets mongod's IDL error, a field mongod knows but this server does not implement is refused
 * by name, and nothing is silently ignored unless it is listed in `noop` (and the README says why).
 */
export interface CommandSpec {
  run: CommandHandler;
  /** Fields the handler reads and honours. */
  fields?: readonly string[];
  /** Fields mongod accepts that change nothing on this server (e.g. `allowDiskUse`: no memory limit here). */
  noop?: readonly string[];
  /** Fields mongod accepts that this server does not implement. */
  refused?: readonly string[];
  /** Handshake and diagnostics: they only report, so they take whatever the driver sends. */
  lenient?: boolean;
  /** A read command: a `readConcern` other than `local` is the client's to choose. */
  reads?: boolean;
}

/** IDL's error for a field a command (or one of its sub-documents) does not have. */
export const unknownField = (path: string): CommandError =>
  new CommandError('Location40415', `BSON field '${path}' is an unknown field.`);

/** Fields of a command or of one of its statements (`update.updates`, `delete.deletes`) checked by name. */
export class FieldRules {
  private readonly allowed: Set<string>;
  private readonly refused: Set<string>;

  constructor(spec: Pick<CommandSpec, 'fields' | 'noop' | 'refused'>) {
    this.allowed = new Set([...(spec.fields ?? []), ...(spec.noop ?? [])]);
    this.refused = new Set(spec.refused ?? []);
  }

  /** `skip` holds the fields already accepted elsewhere (the command name, generic arguments). */
  check(doc: Document, path: string, skip?: (field: string) => boolean): void {
    for (const field of Object.keys(doc)) {
      if (this.allowed.has(field) || skip?.(field)) continue;
      if (this.refused.has(field)) throw notImplemented(`the ${path} option '${field}'`);
      throw unknownField(`${path}.${field}`);
    }
  }
}

/** The collection a command names (undefined when it does not exist yet) and its namespace. */
export function queryTarget(ctx: CommandContext, name: string): QueryTarget {
  return { coll: ctx.store.collection(ctx.db, name), ns: `${ctx.db}.${name}` };
}

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
  if (typeof value === 'boolean' || typeof value === 'string' || !Number.isFinite(n)) {
    throw new CommandError('TypeMismatch', `${field} must be a number`);
  }
  return n;
}

/** A count that IDL declares `>= 0` (find's skip, limit and batchSize; count's skip): mongod's error otherwise. */
export function nonNegative(cmd: Document, field: string): number | undefined {
  const n = optionalNumber(cmd, field);
  if (n !== undefined && n < 0) {
    throw new CommandError('Location51024', `BSON field '${field}' value must be >= 0, actual value '${n}'`);
  }
  return n;
}

export function documentArray(cmd: Document, field: string): Document[] {
  const value: unknown = cmd[field];
  if (!Array.isArray(value) || !value.every(isPlainObject)) {
    throw new CommandError('TypeMismatch', `${field} must be an array of objects`);
  }
  return value;
}
