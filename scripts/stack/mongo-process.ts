import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { freePort } from './free-port';
import { reachable, stopChild } from './processes';

const CLI = path.resolve(__dirname, '../../packages/testkit/bin/social-mongo-memory.js');

export interface MongoProcess {
  uri: string;
  /** Stops the server (its in-memory data is lost); connected clients see their sockets close. */
  stop(): Promise<void>;
  /** Starts an empty server on the same port. */
  start(): Promise<void>;
  isRunning(): boolean;
  /** Its process id while it runs (CPU accounting in the bench). */
  pid(): number | undefined;
}

/**
 * The in-memory MongoDB in a process of its own (the `social-mongo-memory` CLI): a stack's services and a load
 * generator in the launching process then do not share one event loop with the database.
 */
export async function startMongoProcess(logFile: string): Promise<MongoProcess> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    if (child) return;
    const out = fs.openSync(logFile, 'a');
    const started = spawn(process.execPath, [CLI, '--port', String(port), '--ttl-sweep-ms', '500'], {
      stdio: ['ignore', out, out],
    });
    fs.closeSync(out);
    child = started;
    const deadline = Date.now() + 15_000;
    while (!(await reachable('127.0.0.1', port))) {
      if (started.exitCode !== null)
        throw new Error(`in-memory MongoDB exited with ${started.exitCode}; see ${logFile}`);
      if (Date.now() > deadline)
        throw new Error(`in-memory MongoDB did not listen on ${port}; see ${logFile}`);
      await delay(50);
    }
  };
  const stop = async (): Promise<void> => {
    const running = child;
    child = undefined;
    await stopChild(running);
  };
  await start();
  return {
    uri: `mongodb://127.0.0.1:${port}`,
    start,
    stop,
    isRunning: () => child !== undefined,
    pid: () => child?.pid,
  };
}
