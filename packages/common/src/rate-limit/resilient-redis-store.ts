import type { ClientRateLimitInfo, IncrementResponse, Options, Store } from 'express-rate-limit';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import type { Redis } from '../redis';

/**
 * A rate-limit-redis store that survives a cold Redis, and reports every failed store call.
 *
 * rate-limit-redis loads its Lua scripts once, in `init()`, and keeps a rejected load forever: with a fail-fast
 * client (no offline queue) that happens on every normal boot, because the client is still connecting, and
 * rate limiting would then stay off for the life of the process. Reloading the scripts on each 'ready'
 * (first connect and every reconnect) repairs it.
 */
export class ResilientRedisStore implements Store {
  private readonly inner: RedisStore;
  readonly prefix: string;

  constructor(
    redis: Redis,
    prefix: string,
    private readonly onError: (err: unknown) => void,
  ) {
    // `call()` answers `unknown`; Redis replies are exactly what rate-limit-redis expects.
    this.inner = new RedisStore({
      prefix,
      sendCommand: (command: string, ...args: string[]) =>
        redis.call(command, ...args) as Promise<RedisReply>,
    });
    this.prefix = prefix;
    redis.on('ready', () => this.reloadScripts());
  }

  private reloadScripts(): void {
    this.inner.incrementScriptSha = this.inner.loadIncrementScript();
    this.inner.getScriptSha = this.inner.loadGetScript();
    // A failed reload is retried on the next 'ready'; meanwhile increments fail and the limiter fails open.
    this.inner.incrementScriptSha.catch(() => undefined);
    this.inner.getScriptSha.catch(() => undefined);
  }

  async init(options: Options): Promise<void> {
    // Expected to fail while the client is still connecting; the 'ready' handler loads the scripts then.
    await this.inner.init(options).catch(() => undefined);
  }

  private async counted<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      this.onError(err);
      throw err;
    }
  }

  increment(key: string): Promise<IncrementResponse> {
    return this.counted(() => this.inner.increment(key));
  }

  get(key: string): Promise<ClientRateLimitInfo | undefined> {
    return this.counted(() => this.inner.get(key));
  }

  decrement(key: string): Promise<void> {
    return this.counted(() => this.inner.decrement(key));
  }

  resetKey(key: string): Promise<void> {
    return this.counted(() => this.inner.resetKey(key));
  }
}
