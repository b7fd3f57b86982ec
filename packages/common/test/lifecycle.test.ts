import { spawnSync } from 'node:child_process';
import type { EventEmitter } from 'node:events';
import http from 'node:http';
import path from 'node:path';
import { captureLogger, waitFor } from '@social/testkit/helpers';
import { ConfigError } from '../src/config';
import { closeServer, listen, onShutdown, periodic, runMain } from '../src/lifecycle';

describe('closeServer', () => {
  test('when a keep-alive client keeps sending during shutdown, then every request is answered and the server closes', async () => {
    // Arrange: a slow handler and a client that reuses one pooled socket without pause
    const server = http.createServer((_req, res) => {
      setTimeout(() => res.end('ok'), 20);
    });
    const port = await listen(server, 0, '127.0.0.1');
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const get = () =>
      new Promise<number>((resolve, reject) => {
        http
          .get({ port, host: '127.0.0.1', agent }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          })
          .on('error', reject);
      });
    let sending = true;
    const statuses: number[] = [];
    const errors: unknown[] = [];
    const load = (async () => {
      while (sending)
        await get().then(
          (s) => statuses.push(s),
          (e: unknown) => errors.push(e),
        );
    })();
    await get();

    // Act
    const started = Date.now();
    await closeServer(server);
    const tookMs = Date.now() - started;
    sending = false;
    await load;
    agent.destroy();

    // Assert: closed promptly; requests after the close may be refused, but none was cut mid-way
    expect(tookMs).toBeLessThan(2_000);
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(errors.map((e) => (e as NodeJS.ErrnoException).code)).toEqual(errors.map(() => 'ECONNREFUSED'));
  });
});

/** What onShutdown listens to; each test removes the listeners it added, so none pile up across tests. */
const shutdownEvents: readonly string[] = ['SIGTERM', 'SIGINT', 'unhandledRejection', 'uncaughtException'];
const processEvents: EventEmitter = process;
const isListener = (f: unknown): f is (...args: unknown[]) => void => typeof f === 'function';

describe('onShutdown', () => {
  let before: Map<string, Set<unknown>>;

  beforeEach(() => {
    before = new Map(shutdownEvents.map((e) => [e, new Set<unknown>(processEvents.listeners(e))]));
  });

  afterEach(() => {
    for (const event of shutdownEvents) {
      for (const listener of processEvents.listeners(event)) {
        if (isListener(listener) && !before.get(event)?.has(listener)) {
          processEvents.removeListener(event, listener);
        }
      }
    }
  });

  test('when it is set up, then it listens once each for SIGTERM, SIGINT and fatal errors', () => {
    // Arrange
    const counts = () => shutdownEvents.map((e) => processEvents.listenerCount(e));
    const initial = counts();

    // Act
    onShutdown(captureLogger().log, [], { exit: () => undefined });

    // Assert
    expect(counts()).toEqual(initial.map((n) => n + 1));
  });

  test('when shutdown runs, then the steps run in order, one at a time, and exit gets the code', async () => {
    // Arrange
    const { log, lines } = captureLogger();
    const ran: string[] = [];
    const exits: number[] = [];
    const shutdown = onShutdown(
      log,
      [
        async () => {
          await new Promise<void>((resolve) => setImmediate(resolve));
          ran.push('server');
        },
        () => ran.push('bus'),
        async () => ran.push('redis'),
      ],
      { exit: (code) => exits.push(code) },
    );

    // Act
    await shutdown(0);

    // Assert
    expect(ran).toEqual(['server', 'bus', 'redis']);
    expect(exits).toEqual([0]);
    expect(lines.map((l) => [l.level, l.message])).toEqual([['info', 'shutdown complete']]);
  });

  test('when a step fails, then it is logged and the remaining steps still run', async () => {
    // Arrange
    const { log, lines } = captureLogger();
    const ran: string[] = [];
    const exits: number[] = [];
    const shutdown = onShutdown(
      log,
      [() => ran.push('server'), () => Promise.reject(new Error('broker gone')), () => ran.push('redis')],
      { exit: (code) => exits.push(code) },
    );

    // Act
    await shutdown(1);

    // Assert
    expect(ran).toEqual(['server', 'redis']);
    expect(exits).toEqual([1]);
    expect(lines).toEqual([
      expect.objectContaining({ level: 'error', message: 'shutdown step failed' }),
      expect.objectContaining({ level: 'info', message: 'shutdown complete' }),
    ]);
    expect(JSON.stringify(lines[0])).toContain('broker gone');
  });

  test('when shutdown is requested twice, then the steps run once and both callers wait for the same run', async () => {
    // Arrange
    let runs = 0;
    const exits: number[] = [];
    const shutdown = onShutdown(captureLogger().log, [() => runs++], { exit: (code) => exits.push(code) });

    // Act
    const [first, second] = [shutdown(0), shutdown(1)];
    await Promise.all([first, second]);

    // Assert
    expect(first).toBe(second);
    expect(runs).toBe(1);
    expect(exits).toEqual([0]);
  });

  test('when a step hangs past timeoutMs, then it logs the timeout and exits with 1', async () => {
    // Arrange: a step that only finishes when the test lets it
    const { log, lines } = captureLogger();
    const exits: number[] = [];
    let release = (): void => undefined;
    const hanging = new Promise<void>((resolve) => {
      release = resolve;
    });
    const shutdown = onShutdown(log, [() => hanging], { timeoutMs: 50, exit: (code) => exits.push(code) });

    // Act
    const running = shutdown(0);
    await waitFor(() => exits.length > 0, { description: 'timeout exit' });

    // Assert
    expect(exits).toEqual([1]);
    expect(lines).toEqual([
      expect.objectContaining({ level: 'error', message: 'shutdown timed out, exiting' }),
    ]);
    release();
    await running;
  });
});

describe('runMain', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  /** Catches what runMain hands to the process: it owns the exit of a failed start. */
  const captureProcess = () => ({
    exit: jest
      .spyOn(process, 'exit')
      .mockImplementation(jest.fn<never, [number | string | null | undefined]>()),
    stderr: jest.spyOn(process.stderr, 'write').mockReturnValue(true),
  });

  test('when the config is invalid, then the problems are printed without a stack and the exit code is 1', async () => {
    // Arrange
    const { exit, stderr } = captureProcess();

    // Act
    runMain('post-service', () => Promise.reject(new ConfigError(['JWT_SECRET is required'])));
    await waitFor(() => exit.mock.calls.length > 0, { description: 'exit' });

    // Assert
    expect(exit.mock.calls).toEqual([[1]]);
    expect(stderr.mock.calls).toEqual([
      ['post-service failed to start: Invalid configuration:\n  - JWT_SECRET is required\n'],
    ]);
  });

  test('when the start fails otherwise, then the stack is printed and the exit code is 1', async () => {
    // Arrange
    const { exit, stderr } = captureProcess();

    // Act
    runMain('post-service', () => Promise.reject(new Error('mongodb never came up')));
    await waitFor(() => exit.mock.calls.length > 0, { description: 'exit' });

    // Assert
    expect(exit.mock.calls).toEqual([[1]]);
    expect(String(stderr.mock.calls[0]?.[0])).toMatch(
      /^post-service failed to start: Error: mongodb never came up\n\s+at /,
    );
  });
});

describe('logProcessWarnings', () => {
  /**
   * Runs `trigger` in a child process whose warnings go through logProcessWarnings (the listener replaces Node's
   * own printer for the whole process), with `runWithContext` in scope; returns its stderr and JSON stdout lines.
   */
  function warningsOf(trigger: string): {
    status: number | null;
    stderr: string;
    lines: Record<string, unknown>[];
  } {
    const script = `
      const { logProcessWarnings } = require(${JSON.stringify(path.join(__dirname, '../src/lifecycle/index.ts'))});
      const { createLogger, runWithContext } = require(${JSON.stringify(path.join(__dirname, '../src/logger/index.ts'))});
      logProcessWarnings(createLogger({ service: 'warn-test', json: true }));
      ${trigger}
      setTimeout(() => process.exit(0), 50); // warnings are emitted on a later tick
    `;
    const run = spawnSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], { encoding: 'utf8' });
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    return { status: run.status, stderr: run.stderr, lines };
  }

  test('when a dependency triggers a deprecation, then it is one JSON warn line and nothing on stderr', () => {
    // What http-proxy calls on every proxied request.
    const run = warningsOf(`require('node:util')._extend({}, { a: 1 });`);
    expect(run.status).toBe(0);
    expect(run.stderr).not.toMatch(/DeprecationWarning|DEP0060/);
    expect(run.lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: 'process warning',
        name: 'DeprecationWarning',
        code: 'DEP0060',
        service: 'warn-test',
      }),
    );
  });

  test('when a request sets the warning off, then the line is about the process and names no request', () => {
    const run = warningsOf(
      `runWithContext({ requestId: 'req-1', userId: 'user-1' }, () => require('node:util')._extend({}, { a: 1 }));`,
    );
    expect(run.status).toBe(0);
    const warning = run.lines.find((l) => l.code === 'DEP0060');
    expect(warning).toMatchObject({ level: 'warn', message: 'process warning' });
    expect(warning).not.toHaveProperty('requestId');
    expect(warning).not.toHaveProperty('userId');
  });
});

describe('periodic', () => {
  test('when a run fails, then it is logged and the task runs again at the next interval', async () => {
    const { log, lines } = captureLogger();
    let runs = 0;
    const task = periodic({
      name: 'recount',
      intervalMs: 10,
      log,
      run: async () => {
        runs += 1;
        if (runs === 1) throw new Error('mongo away');
      },
    });

    task.start();
    await waitFor(() => runs >= 3);
    await task.stop();

    expect(lines.filter((l) => l.message === 'recount failed; retrying at the next interval')).toHaveLength(
      1,
    );
  });

  test('when stopped during a run, then stop waits for it and nothing runs after', async () => {
    let runs = 0;
    let release = (): void => undefined;
    const task = periodic({
      name: 'slow',
      intervalMs: 5,
      log: captureLogger().log,
      run: () => {
        runs += 1;
        return new Promise<void>((resolve) => {
          release = resolve;
        });
      },
    });
    task.start();
    await waitFor(() => runs === 1);

    let stopped = false;
    const stopping = task.stop().then(() => {
      stopped = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(stopped).toBe(false);
    release();
    await stopping;
    await new Promise((resolve) => setTimeout(resolve, 30));

    expect(runs).toBe(1);
  });
});
