import type { Document } from 'bson';
import { CommandError } from '../command-error';
import { adminCommands } from './admin.commands';
import type { CommandContext, CommandHandler } from './command-context';
import { findAndModifyCommands } from './find-and-modify.command';
import { handshakeCommands } from './handshake.commands';
import { indexCommands } from './index.commands';
import { readCommands } from './read.commands';
import { writeCommands } from './write.commands';

export type { CommandContext, CommandHandler } from './command-context';

const COMMANDS = new Map<string, CommandHandler>(
  Object.entries({
    ...handshakeCommands,
    ...writeCommands,
    ...readCommands,
    ...findAndModifyCommands,
    ...adminCommands,
    ...indexCommands,
  }),
);

/** Runs one command and always answers: failures become `ok: 0` replies, never exceptions. */
export function runCommand(cmd: Document, ctx: CommandContext): Document {
  const name = Object.keys(cmd)[0];
  const handler = name === undefined ? undefined : COMMANDS.get(name);
  try {
    // A standalone mongod refuses transactions; answering the same keeps tests honest about what prod needs.
    if (cmd.autocommit === false || cmd.startTransaction === true) {
      throw new CommandError(
        'IllegalOperation',
        'Transaction numbers are only allowed on a replica set member or mongos',
      );
    }
    if (!handler) throw new CommandError('CommandNotFound', `no such command: '${name ?? ''}'`);
    return handler(cmd, ctx);
  } catch (err) {
    if (err instanceof CommandError) return err.toReply();
    // mingo rejects unsupported or malformed operators by throwing; that is the client's bad value.
    const message = err instanceof Error ? err.message : String(err);
    return new CommandError('BadValue', message).toReply();
  }
}
