import type { IncrementResponse } from 'express-rate-limit';
import { redisScript, type Redis } from '../redis';

/**
 * rate-limit-redis's own increment logic (same keys, same values, so replicas running either share counters) for
 * a batch of requests, in order, in one call: each request's first key and, when it has one, its second. A second
 * key is left alone when its first is already over `firstLimit` (that request's second limiter never runs).
 * ARGV[3] holds each request's key count ("2" or "1") in order; the reply is four numbers per request, the
 * second pair -1 when the second key was not counted.
 */
const BATCH_SCRIPT = redisScript(`
local windowMs = tonumber(ARGV[1])
local firstLimit = tonumber(ARGV[2])
local keyCounts = ARGV[3]
local function hit(key)
  local ttl = redis.call("PTTL", key)
  if ttl <= 0 then
    redis.call("SET", key, 1, "PX", windowMs)
    return 1, windowMs
  end
  return redis.call("INCR", key), ttl
end
local replies = {}
local k = 1
for i = 1, #keyCounts do
  local h1, t1 = hit(KEYS[k])
  local h2, t2 = -1, -1
  if string.sub(keyCounts, i, i) == "2" then
    if h1 <= firstLimit then h2, t2 = hit(KEYS[k + 1]) end
    k = k + 2
  else
    k = k + 1
  end
  replies[#replies + 1] = h1
  replies[#replies + 1] = t1
  replies[#replies + 1] = h2
  replies[#replies + 1] = t2
end
return replies
`);

// One script call holds at most this many requests: Redis runs a script alone, so a burst is cut into calls of a
// bounded length (~0.3 ms of Redis time each on this box) rather than one long one that stalls every other client.
const MAX_BATCH = 256;

/** One request's counts: its first key's, and its second's unless the first was over its limit (or it had none). */
export interface PairCounts {
  first: IncrementResponse;
  second?: IncrementResponse;
}

interface Batch {
  keys: string[];
  keyCounts: string;
  waiters: { resolve: (counts: PairCounts) => void; reject: (err: unknown) => void }[];
}

const toInfo = (hits: number, ttl: number): IncrementResponse => ({
  totalHits: hits,
  resetTime: new Date(Date.now() + ttl),
});

const isNumberList = (reply: unknown, length: number): reply is number[] =>
  Array.isArray(reply) && reply.length === length && reply.every((n) => typeof n === 'number');

/**
 * Counts the limited requests of one event-loop turn with one script call: a request that calls `count` waits for
 * the rest of the turn (like ioredis' auto-pipelining), then every request's keys move in one round trip, in the
 * order the requests asked. Per request that is one command less to encode, send, time out and parse than a
 * pipeline of one call each, for the gateway and for Redis; a call that fails rejects each of its requests.
 */
export function turnBatchedCounts(options: {
  redis: Redis;
  windowMs: number;
  /** The first key's limit: above it, that request's second key is not counted. */
  firstLimit: number;
}): (firstKey: string, secondKey: string | undefined) => Promise<PairCounts> {
  const { redis } = options;
  const args = [String(options.windowMs), String(options.firstLimit)];
  let pending: Batch | undefined;

  const send = (batch: Batch): void => {
    BATCH_SCRIPT.run(redis, batch.keys, [...args, batch.keyCounts]).then(
      (reply) => {
        if (!isNumberList(reply, batch.waiters.length * 4)) {
          const err = new TypeError('unexpected reply from redis');
          for (const waiter of batch.waiters) waiter.reject(err);
          return;
        }
        batch.waiters.forEach((waiter, i) => {
          const [h1, t1, h2, t2] = reply.slice(i * 4, i * 4 + 4) as [number, number, number, number];
          waiter.resolve({ first: toInfo(h1, t1), second: h2 === -1 ? undefined : toInfo(h2, t2) });
        });
      },
      (err: unknown) => {
        for (const waiter of batch.waiters) waiter.reject(err);
      },
    );
  };
  const flush = (): void => {
    if (!pending) return;
    const batch = pending;
    pending = undefined;
    send(batch);
  };

  return (firstKey, secondKey) =>
    new Promise<PairCounts>((resolve, reject) => {
      if (!pending) {
        pending = { keys: [], keyCounts: '', waiters: [] };
        setImmediate(flush);
      }
      const batch = pending;
      batch.keys.push(firstKey);
      if (secondKey === undefined) {
        batch.keyCounts += '1';
      } else {
        batch.keys.push(secondKey);
        batch.keyCounts += '2';
      }
      batch.waiters.push({ resolve, reject });
      if (batch.waiters.length >= MAX_BATCH) flush();
    });
}
