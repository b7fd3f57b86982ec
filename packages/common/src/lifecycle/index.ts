import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import net from 'node:net';
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

interface DrainState {
  draining: boolean;
  inFlight: Set<ServerResponse>;
}
const drainStates = new WeakMap<Server, DrainState>();

/**
 * Tracks in-flight responses, so a shutdown can tell keep-alive clients (the gateway's pooled agents) to let
 * go: every response from then on carries `Connection: close`, and the socket ends after it.
 */
function trackResponses(server: Server): DrainState {
  const state: DrainState = { draining: false, inFlight: new Set() };
  server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => {
    if (state.draining) res.setHeader('Connection', 'close');
    state.inFlight.add(res);
    res.once('close', () => state.inFlight.delete(res));
  });
  drainStates.set(server, state);
  return state;
}

/** Stops accepting connections, lets in-flight requests finish, and releases kept-alive sockets. */
export function closeServer(server: Server): Promise<void> {
  const state = drainStates.get(server) ?? trackResponses(server);
  state.draining = true;
  for (const res of state.inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
  // A socket that goes idle from now on is closed almost at once instead of after the usual 5 s.
  server.keepAliveTimeout = 100;
  return new Promise((resolve, reject) => {
    // http.Server#close() also destroys sockets that look idle, which resets a request whose bytes are
    // already on the wire. net.Server#close() only stops listening and waits; idle sockets end through the
    // shortened keep-alive timeout, busy ones after their `Connection: close` response.
    net.Server.prototype.close.call(server, (err?: Error) => (err ? reject(err) : resolve()));
  });
}

/** Resolves once the server listens; the port may be 0 (tests, random ports). */
export function listen(server: Server, port: number, host?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    if (!drainStates.has(server)) trackResponses(server);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

export { logProcessWarnings } from './process-warnings';
export { runMain } from './run-main';
export { periodic, type PeriodicTask } from './periodic';
