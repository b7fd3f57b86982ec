import type { Document } from 'bson';
import { CommandError, notImplemented } from '../command-error';
import { errorReply } from '../error-reply';
import { adminCommands } from './admin.commands';
import { FieldRules, type CommandContext, type CommandSpec } from './command-context';
import { findAndModifyCommands } from './find-and-modify.command';
import { checkGenericArguments, isGenericArgument } from './generic-arguments';
import { handshakeCommands } from './handshake.commands';
import { indexCommands } from './index.commands';
import { readCommands } from './read.commands';
import { writeCommands } from './write.commands';

export type { CommandContext, CommandHandler, CommandSpec } from './command-context';

interface Registered {
  spec: CommandSpec;
  rules: FieldRules;
}

const COMMANDS = new Map<string, Registered>(
  Object.entries({
    ...handshakeCommands,
    ...writeCommands,
    ...readCommands,
    ...findAndModifyCommands,
    ...adminCommands,
    ...indexCommands,
  }).map(([name, spec]) => [name, { spec, rules: new FieldRules(spec) }]),
);

/** Commands of mongod 7 a test is likely to reach for that this server does not implement. */
const REFUSED_COMMANDS = new Set([
  'explain',
  'collMod',
  'renameCollection',
  'mapReduce',
  'validate',
  'convertToCapped',
  'cloneCollectionAsCapped',
  'compact',
  'createUser',
  'createRole',
  'saslStart',
  'authenticate',
]);

/** Runs one command and always answers: failures become `ok: 0` replies, never exceptions. */
export function runCommand(cmd: Document, ctx: CommandContext): Document {
  const name = Object.keys(cmd)[0];
  const registered = name === undefined ? undefined : COMMANDS.get(name);
  try {
    if (!registered || name === undefined) {
      if (name !== undefined && REFUSED_COMMANDS.has(name)) throw notImplemented(`the ${name} command`);
      throw new CommandError('CommandNotFound', `no such command: '${name ?? ''}'`);
    }
    const { spec, rules } = registered;
    const maxTimeMS = checkGenericArguments(name, cmd, spec);
    if (!spec.lenient) rules.check(cmd, name, (field) => field === name || isGenericArgument(field));
    const started = maxTimeMS > 0 ? performance.now() : 0;
    const reply = spec.run(cmd, ctx);
    // Commands run to completion here; one that took longer than allowed fails as it would on mongod.
    if (maxTimeMS > 0 && performance.now() - started > maxTimeMS) {
      ctx.cursors.discard(reply);
      throw new CommandError('MaxTimeMSExpired', 'operation exceeded time limit');
    }
    return reply;
  } catch (err) {
    return errorReply(err);
  }
}
