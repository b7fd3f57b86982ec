import type { Server } from 'node:http';
import type { Logger } from '../logger';

export type ShutdownStep = () => Promise<unknown> | unknown;

export interface ShutdownOptions {
  /** Hard exit after this long, whatever is still pending. */
  timeoutMs?: number;
  /** For tests: what to do instead of process.exit. */
  exit?: (code: number) => void;
}

/**
 * Runs the steps in order (stop accepting, drain, close clients) on SIGTERM/SIGINT or a fatal error, then
 * exits. A step that fails is logged and the rest still run. Returns the shutdown function itself.
 */
export function onShutdown(
  log: Logger,
  steps: ShutdownStep[],
  options: ShutdownOptions = {},
): (code?: number) => Promise<void> {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let running: Promise<void> | undefined;
  const shutdown = (code = 0): Promise<void> => {
    running ??= (async () => {
      const timer = setTimeout(() => {
        log.error('shutdown timed out, exiting');
        exit(1);
      }, options.timeoutMs ?? 10_000);
      timer.unref();
      for (const step of steps) {
        try {
          await step();
        } catch (err) {
          log.error('shutdown step failed', { err });
        }
      }
      clearTimeout(timer);
      log.info('shutdown complete');
      exit(code);
    })();
    return running;
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      log.info('shutdown requested', { signal });
      void shutdown(0);
    });
  }
  // Never keep running in an unknown state: log, shut down cleanly, exit non-zero.
  process.once('unhandledRejection', (reason) => {
    log.error('fatal: unhandled rejection', { err: reason });
    void shutdown(1);
  });
  process.once('uncaughtException', (err) => {
    log.error('fatal: uncaught exception', { err });
    void shutdown(1);
  });
  return shutdown;
}

/** Stops accepting connections, lets in-flight requests finish, and closes idle keep-alive sockets. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    server.closeIdleConnections();
  });
}

/** Resolves once the server listens; the port may be 0 (tests, random ports). */
export function listen(server: Server, port: number, host?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

export { runMain } from './run-main';
