import { connect, type ChannelModel } from 'amqplib';
import type { Logger } from 'winston';
import { EventBusClosedError, errorMessage } from './errors';

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

/**
 * Owns the one AMQP connection: connects, and after any loss (broker restart, forced close, failed
 * setup) reconnects with capped exponential backoff and jitter until close().
 */
export class ConnectionManager {
  private conn: ChannelModel | undefined;
  private ready = false;
  private blocked = false;
  private started = false;
  private closed = false;
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;
  private connecting = false;
  private attempt: Promise<void> | undefined;
  private waiters: Waiter[] = [];

  constructor(private readonly opts: ConnectionManagerOptions) {}

  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    this.attempt = this.connectOnce();
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

  isClosed(): boolean {
    return this.closed;
  }

  /** The live connection, also during setup (onConnected), so late subscribers can join it. */
  current(): ChannelModel | undefined {
    return this.conn;
  }

  /** A channel died under a live connection: rebuild everything from a fresh connection. */
  recycle(reason: string): void {
    const conn = this.conn;
    if (!conn || this.closed) return;
    this.opts.log.warn('event bus recycling connection', { reason });
    conn.close().catch(() => {
      // Already closing: the 'close' event schedules the reconnect.
    });
  }

  /** Phase one of shutdown: no more reconnects, pending connect() callers are released. */
  stop(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const w of this.waiters.splice(0)) w.reject(new EventBusClosedError());
  }

  /** Phase two: close the connection once channels are done. */
  async close(): Promise<void> {
    this.stop();
    await this.attempt;
    const conn = this.conn;
    this.conn = undefined;
    this.ready = false;
    if (conn) {
      try {
        await conn.close();
      } catch (err) {
        this.opts.log.debug('event bus connection already closed', { err: errorMessage(err) });
      }
    }
  }

  private async connectOnce(): Promise<void> {
    this.timer = undefined;
    if (this.closed) return;
    this.connecting = true;
    let conn: ChannelModel | undefined;
    try {
      conn = await connect(this.opts.url, {
        timeout: CONNECT_TIMEOUT_MS,
        clientProperties: { connection_name: this.opts.appId },
      });
      if (this.closed) {
        await conn.close().catch(() => {});
        return;
      }
      this.watch(conn);
      this.conn = conn;
      await this.opts.onConnected(conn);
      if (this.conn !== conn) throw new Error('connection closed during setup');
      if (this.closed) return;
      this.ready = true;
      this.opts.log.info(this.failures > 0 ? 'event bus reconnected' : 'event bus connected', {
        failedAttempts: this.failures,
      });
      this.failures = 0;
      for (const w of this.waiters.splice(0)) w.resolve();
    } catch (err) {
      if (conn && this.conn === conn) {
        // Detach first so the resulting 'close' event does not schedule a second reconnect.
        this.conn = undefined;
        this.opts.onDisconnected();
        await conn.close().catch(() => {});
      }
      if (this.closed) return;
      this.scheduleReconnect(err);
    } finally {
      this.connecting = false;
    }
  }

  private watch(conn: ChannelModel): void {
    const { log } = this.opts;
    // Without an 'error' listener an emitted error would crash the process; 'close' follows and recovers.
    conn.on('error', (err: Error) => log.warn('event bus connection error', { err: err.message }));
    conn.on('close', (err?: Error) => this.onClose(conn, err));
    conn.on('blocked', (reason: string) => {
      this.blocked = true;
      log.warn('event bus blocked by broker, publishes fail until unblocked', { reason });
    });
    conn.on('unblocked', () => {
      this.blocked = false;
      log.info('event bus unblocked by broker');
    });
  }

  private onClose(conn: ChannelModel, err?: Error): void {
    if (this.conn !== conn) return;
    this.conn = undefined;
    this.ready = false;
    this.blocked = false;
    this.opts.onDisconnected();
    if (this.closed) return;
    // An attempt in progress fails on its own and schedules the retry itself.
    if (this.connecting) return;
    this.scheduleReconnect(err ?? new Error('connection closed'));
  }

  private scheduleReconnect(err: unknown): void {
    if (this.closed || this.timer) return;
    const { initialDelayMs, maxDelayMs } = this.opts.reconnect;
    const base = Math.min(maxDelayMs, initialDelayMs * 2 ** Math.min(this.failures, 30));
    // Jitter spreads the reconnects of many replicas after a broker restart.
    const delayMs = Math.round(base * (0.8 + Math.random() * 0.4));
    this.failures += 1;
    this.opts.log.warn('event bus disconnected, reconnecting', {
      err: errorMessage(err),
      attempt: this.failures,
      delayMs,
    });
    this.timer = setTimeout(() => {
      this.attempt = this.connectOnce();
    }, delayMs);
  }
}
