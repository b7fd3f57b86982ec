import { createRequire } from 'node:module';
import mongoose from 'mongoose';

/** The part of the driver's internal `Connection` (mongodb/lib/cmap/connection) the guard touches. */
interface DriverConnection {
  /** Why it closed, set before it emits 'close'. */
  error: Error | null;
  address: string;
  writeCommand(command: unknown, options: unknown): Promise<void>;
  once(event: 'close', listener: () => void): unknown;
  off(event: 'close', listener: () => void): unknown;
}

const GUARDED = Symbol.for('@social/common.mongo.closed-socket-guard');

type GuardedPrototype = DriverConnection & { [GUARDED]?: true };

/** The Connection class of the driver mongoose runs on (the copy next to mongoose, not any other). */
function driverConnectionPrototype(): GuardedPrototype {
  const requireFromMongoose = createRequire(require.resolve('mongoose'));
  const cmap = requireFromMongoose('mongodb/lib/cmap/connection') as {
    Connection?: { prototype: Partial<GuardedPrototype> };
  };
  const prototype = cmap.Connection?.prototype;
  if (typeof prototype?.writeCommand !== 'function') {
    // A driver that moved its internals: fail at startup, not by hanging the first time MongoDB goes away.
    throw new Error(
      'mongodb driver: Connection.prototype.writeCommand not found; review closed-socket-guard',
    );
  }
  return prototype as GuardedPrototype;
}

const closedError = (connection: DriverConnection): Error =>
  connection.error ?? new mongoose.mongo.MongoNetworkError(`connection to ${connection.address} closed`);

/**
 * The MongoDB driver (6.20 to at least 7.9.1) writes a command and, when `socket.write` returns false, waits for
 * 'drain' or 'error'. A socket its peer has just closed is already destroyed while its 'close' is still a loop
 * turn away: `write` then returns false and that socket emits neither, so the command waits forever. It happens
 * when MongoDB goes away under load: a pooled operation never settles, and when it is the server monitor's
 * heartbeat the client never notices MongoDB is back (the service stays unready until restarted).
 *
 * The guard makes such a write fail as the network error it is once the connection closes (one already closed
 * never gets this far: the driver throws its error before writing). The operation gets the usual
 * MongoNetworkError (503 to a client, a retry for the outbox relay) and the monitor its failed heartbeat, after
 * which it checks again as it should. Installed once per process, on the driver mongoose uses.
 */
export function guardWritesOnClosedSockets(): void {
  const prototype = driverConnectionPrototype();
  if (prototype[GUARDED]) return;
  const writeCommand = prototype.writeCommand;
  prototype.writeCommand = function guardedWriteCommand(this: DriverConnection, command, options) {
    return new Promise<void>((resolve, reject) => {
      const onClose = (): void => reject(closedError(this));
      this.once('close', onClose);
      writeCommand.call(this, command, options).then(
        () => {
          this.off('close', onClose);
          resolve();
        },
        (err: unknown) => {
          this.off('close', onClose);
          reject(err);
        },
      );
    });
  };
  prototype[GUARDED] = true;
}
