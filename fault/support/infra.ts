import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { waitFor } from '@social/testkit/helpers';
import { freePort } from '../../scripts/stack/free-port';
import { reachable, stopChild } from '../../scripts/stack/processes';

const run = promisify(execFile);

/** Simulates a broker restart for every client: each connection is closed by the broker. */
export async function closeAllBrokerConnections(): Promise<void> {
  await run('rabbitmqctl', ['close_all_connections', 'fault test'], { timeout: 30_000 });
}

/**
 * Safety net for every fault file: the shared Redis (6379) and RabbitMQ (5672) answer again, whatever a test
 * did or how it failed. Starts them with the CI commands when they do not.
 */
export async function ensureSharedInfrastructure(): Promise<void> {
  if (!(await reachable('127.0.0.1', 6379))) {
    fs.mkdirSync('/var/lib/redis', { recursive: true });
    fs.mkdirSync('/var/log/redis', { recursive: true });
    await run('redis-server', [
      '--daemonize',
      'yes',
      '--bind',
      '127.0.0.1',
      '-::1',
      '--port',
      '6379',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      '/var/lib/redis',
      '--logfile',
      '/var/log/redis/ci.log',
    ]);
    await waitFor(() => reachable('127.0.0.1', 6379), {
      timeoutMs: 10_000,
      description: 'shared Redis back on 6379',
    });
  }
  if (!(await reachable('127.0.0.1', 5672))) {
    await run('rabbitmq-server', ['-detached']);
    await run('rabbitmqctl', ['await_startup', '--timeout', '120'], { timeout: 130_000 });
  }
}

export interface PrivateRedis {
  url: string;
  /** Stops the server (SIGTERM, as a crash of the cache would look to clients: connections drop). */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty. */
  start(): Promise<void>;
  isRunning(): boolean;
  /** Stops it for good and removes its folder. */
  close(): Promise<void>;
}

/**
 * A Redis of its own for one stack: "Redis down" then takes nothing away from any other suite using the
 * shared one, and stopping it cannot leave the machine's Redis dead.
 */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fault-redis-'));
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    if (child) return;
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
      {
        stdio: 'ignore',
      },
    );
    await waitFor(() => reachable('127.0.0.1', port), {
      timeoutMs: 10_000,
      description: `private Redis on ${port}`,
    });
  };
  const stop = async (): Promise<void> => {
    const running = child;
    child = undefined;
    await stopChild(running);
  };
  const close = async (): Promise<void> => {
    await stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, start, stop, close, isRunning: () => child !== undefined };
}
