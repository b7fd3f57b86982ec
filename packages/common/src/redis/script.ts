import { createHash } from 'node:crypto';
import type { ChainableCommander, Redis } from 'ioredis';

type Arg = string | number;

/**
 * A Lua script sent by its SHA1 (EVALSHA): Redis keeps it compiled, so a hot path sends neither the source nor
 * makes Redis hash it on every call. When Redis does not know it (restart, SCRIPT FLUSH, failover), the call
 * falls back to EVAL once, which loads it again. Keys get the client's keyPrefix like any other command.
 */
export interface RedisScript {
  run(redis: Redis, keys: readonly string[], args: readonly Arg[]): Promise<unknown>;
  /**
   * Runs the script once per call of `add`, as one pipeline. The script must be idempotent: when Redis had
   * forgotten it, the whole batch is sent again after loading it. Returns each call's reply; throws on the first
   * error.
   */
  runMany(
    redis: Redis,
    add: (queue: (keys: readonly string[], args: readonly Arg[]) => void) => void,
  ): Promise<unknown[]>;
}

export const isNoScript = (err: unknown): boolean =>
  err instanceof Error && err.message.startsWith('NOSCRIPT');

export function redisScript(source: string): RedisScript {
  const sha = createHash('sha1').update(source).digest('hex');

  const batch = (redis: Redis, add: Parameters<RedisScript['runMany']>[1]): ChainableCommander => {
    const pipe = redis.pipeline();
    add((keys, args) => pipe.evalsha(sha, keys.length, ...keys, ...args));
    return pipe;
  };
  const replies = async (pipe: ChainableCommander): Promise<[Error | null, unknown][]> => {
    const reply = await pipe.exec();
    if (!reply) throw new Error('redis pipeline returned nothing');
    return reply;
  };

  return {
    async run(redis, keys, args) {
      try {
        return await redis.evalsha(sha, keys.length, ...keys, ...args);
      } catch (err) {
        if (!isNoScript(err)) throw err;
        return redis.eval(source, keys.length, ...keys, ...args);
      }
    },

    async runMany(redis, add) {
      let reply = await replies(batch(redis, add));
      if (reply.some(([err]) => isNoScript(err))) {
        await redis.script('LOAD', source);
        reply = await replies(batch(redis, add));
      }
      return reply.map(([err, value]) => {
        if (err) throw err;
        return value;
      });
    },
  };
}
