import type { Document } from 'bson';
import type { CommandHandler, CommandSpec } from './command-context';

const startedAt = Date.now();

/** A standalone (no setName), no compression, no auth: the driver then polls hello instead of streaming. */
const hello: CommandHandler = (_cmd, ctx) => ({
  helloOk: true,
  ismaster: true,
  isWritablePrimary: true,
  maxBsonObjectSize: 16_777_216,
  maxMessageSizeBytes: 48_000_000,
  maxWriteBatchSize: 100_000,
  localTime: new Date(),
  logicalSessionTimeoutMinutes: 30,
  connectionId: ctx.connectionId,
  minWireVersion: 0,
  maxWireVersion: 21,
  readOnly: false,
  ok: 1,
});

const buildInfo: CommandHandler = () => ({
  version: '7.0.0',
  gitVersion: 'social-testkit-in-memory',
  versionArray: [7, 0, 0, 0],
  bits: 64,
  debug: false,
  maxBsonObjectSize: 16_777_216,
  storageEngines: ['in-memory'],
  ok: 1,
});

const getParameter: CommandHandler = (cmd) => {
  const reply: Document = { ok: 1 };
  if (cmd.featureCompatibilityVersion !== undefined) reply.featureCompatibilityVersion = { version: '7.0' };
  return reply;
};

const handlers: Record<string, CommandHandler> = {
  hello,
  ismaster: hello,
  isMaster: hello,
  ping: () => ({ ok: 1 }),
  buildInfo,
  buildinfo: buildInfo,
  getParameter,
  endSessions: () => ({ ok: 1 }),
  killAllSessions: () => ({ ok: 1 }),
  whatsmyuri: () => ({ you: '127.0.0.1', ok: 1 }),
  connectionStatus: () => ({ authInfo: { authenticatedUsers: [], authenticatedUserRoles: [] }, ok: 1 }),
  serverStatus: () => ({
    host: 'social-testkit',
    version: '7.0.0',
    process: 'mongod',
    pid: process.pid,
    uptime: Math.floor((Date.now() - startedAt) / 1000),
    localTime: new Date(),
    ok: 1,
  }),
};

/** They only report (or end sessions that hold nothing), so they take whatever the driver sends. */
export const handshakeCommands: Record<string, CommandSpec> = Object.fromEntries(
  Object.entries(handlers).map(([name, run]) => [name, { run, lenient: true }]),
);
