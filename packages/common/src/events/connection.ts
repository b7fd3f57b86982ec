import { connect, type ChannelModel, type RecoveringChannelModel } from 'amqplib';
import type { Logger } from 'winston';
import { EventBusClosedError } from './errors';

export interface ReconnectOptions {
  initialDelayMs: number;
  maxDelayMs: number;
}

export interface ConnectionManagerOptions {
  url: string;
  appId: string;
  log: Logger;
  reconnect: ReconnectOptions;
  /** Builds channels and topology on each new connection; a rejection drops it and schedules a retry. */
  onConnected: (conn: ChannelModel) => Promise<void>;
  /** The connection is gone: forget its channels. */
  onDisconnected: () => void;
}

interface Waiter {
  resolve: () => void;
  reject: (err: Error) => void;
}

// Fails a connect attempt to a black-holed host instead of waiting for the OS TCP timeout.
const CONNECT_TIMEOUT_MS = 10_000;
// ±20 % spreads the reconnects of many replicas after a broker restart.
const RECONNECT_JITTER = 0.2;

/**
 * Owns the one AMQP connection. amqplib's `recovery` reconnects it after any loss (broker restart, forced
 * close, failed setup) with capped exponential backoff and jitter, and runs `setup` on every new connection
 * before adopting it. What stays here is what the library does not do (each checked against amqplib 2.3.1):
 * - It recovers the connection only. Channels, consumers and topology die with it: `onConnected` rebuilds them.
 * - A channel lost under a live connection (broker cancel, channel error) starts no recovery: recycle().
 * - It listens to a new connection only once setup resolves, so setUp() adds the 'error' listener (an
 *   unheard 'error' would crash the process) and the 'close' listener, and fails if the connection closed
 *   meanwhile: the library would adopt that dead connection and never reconnect.
 * - It exposes neither readiness nor the blocked state, and its close() cannot leave the connection up while
 *   consumers drain, nor wait for a setup in flight: hence stop() and close().
 */
export class ConnectionManager {
  private recovering: Promise<RecoveringChannelModel> | undefined;
  private conn: ChannelModel | undefined;
  private settingUp: Promise<void> | undefined;
  private ready = false;
  private blocked = false;
  private closed = false;
  private failures = 0;
  private waiters: Waiter[] = [];

  constructor(private readonly opts: ConnectionManagerOptions) {}

  start(): void {
    if (this.recovering || this.closed) return;
    const { initialDelayMs, maxDelayMs } = this.opts.reconnect;
    this.recovering = connect(this.opts.url, {
      timeout: CONNECT_TIMEOUT_MS,
      clientProperties: { connection_name: this.opts.appId },
      recovery: {
        initialDelay: initialDelayMs,
        maxDelay: maxDelayMs,
        jitter: RECONNECT_JITTER,
        // Resolve at once: the first attempt runs on a later tick, after watchRecovery() added the listeners.
        waitForConnect: false,
        setup: (conn: ChannelModel) => {
          this.settingUp = this.setUp(conn);
          return this.settingUp;
        },
      },
    }).then((model) => this.watchRecovery(model));
  }

  /** Resolves once a connection is up and set up; rejects only if the manager is closed first. */
  waitUntilConnected(): Promise<void> {
    if (this.closed) return Promise.reject(new EventBusClosedError());
    if (this.ready) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  isConnected(): boolean {
    return this.ready;
  }

  isBlocked(): boolean {
    return this.blocked;
  }

  /** The live connection, also during setup (onConnected), so late subscribers can join it. */
  current(): ChannelModel | undefined {
    return this.conn;
  }

  /** A channel died under a live connection: rebuild everything from a fresh connection. */
  recycle(reason: string): void {
    const conn = this.conn;
    if (!conn || this.closed) return;
    // A connection closes its channels first, then emits its own 'close' in the same tick: if that is what
    // happened, `conn` is cleared by the next microtask and recovery is already under way.
    queueMicrotask(() => {
      if (this.conn !== conn || this.closed) return;
      this.opts.log.warn('event bus recycling connection', { reason });
      // Its 'close' event makes amqplib reconnect.
      conn.close().catch(() => {});
    });
  }

  /** Phase one of shutdown: no new setups, pending connect() callers are released; the connection stays up. */
  stop(): void {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w.reject(new EventBusClosedError());
  }

  /** Phase two: close the connection once channels are done. */
  async close(): Promise<void> {
    this.stop();
    const model = await this.recovering;
    // Cancels a scheduled reconnect and closes the adopted connection. A TCP connect still in flight is
    // closed by amqplib as soon as it completes.
    await model?.close();
    // A setup in flight is not adopted yet, so the library's close() did not touch it; it closes its own
    // connection once it sees `closed`.
    await this.settingUp?.catch(() => {});
    this.ready = false;
  }

  private async setUp(conn: ChannelModel): Promise<void> {
    this.watch(conn);
    try {
      if (this.closed) throw new EventBusClosedError();
      this.conn = conn;
      await this.opts.onConnected(conn);
      if (this.closed) throw new EventBusClosedError();
      if (this.conn !== conn) throw new Error('connection closed during setup');
    } catch (err) {
      // Closed here rather than by amqplib, so close() finds it closed once this setup has settled.
      await conn.close().catch(() => {});
      throw err;
    }
  }

  private watch(conn: ChannelModel): void {
    const { log } = this.opts;
    conn.on('error', (err: Error) => log.warn('event bus connection error', { err }));
    conn.on('close', () => {
      if (this.conn !== conn) return;
      this.conn = undefined;
      this.ready = false;
      this.blocked = false;
      this.opts.onDisconnected();
    });
    conn.on('blocked', (reason: string) => {
      this.blocked = true;
      log.warn('event bus blocked by broker, publishes fail until unblocked', { reason });
    });
    conn.on('unblocked', () => {
      this.blocked = false;
      log.info('event bus unblocked by broker');
    });
  }

  private watchRecovery(model: RecoveringChannelModel): RecoveringChannelModel {
    const { log } = this.opts;
    // Emitted once setUp() resolved and the library adopted the connection.
    model.on('connect', () => {
      this.ready = true;
      log.info(this.failures > 0 ? 'event bus reconnected' : 'event bus connected', {
        failedAttempts: this.failures,
      });
      this.failures = 0;
      for (const w of this.waiters.splice(0)) w.resolve();
    });
    // Follows every lost connection and every failed attempt (connect or setup), with the error.
    model.on('reconnect-scheduled', ({ attempt, delay, error }) => {
      this.failures = attempt;
      if (this.closed) return;
      log.warn('event bus disconnected, reconnecting', { err: error, attempt, delayMs: delay });
    });
    // The library re-emits each adopted connection's 'error', which watch() already logs; an 'error'
    // event without a listener would throw.
    model.on('error', () => {});
    return model;
  }
}
