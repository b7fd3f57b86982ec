import { captureLogger, silentLogger, uniqueName, waitFor } from '@social/testkit/helpers';
import { createHash } from 'node:crypto';
import { closeRedis, createRedis, pingRedis, redisScript, type Redis } from '../src/redis';
import { closedPort, tcpProxy, type TcpProxy } from './support/tcp-proxy';

const REDIS_URL = 'redis://127.0.0.1:6379';

const clients: Redis[] = [];
const proxies: TcpProxy[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => closeRedis(client)));
  await Promise.all(proxies.splice(0).map((proxy) => proxy.down()));
});

const track = (client: Redis): Redis => {
  clients.push(client);
  return client;
};

const ready = (client: Redis): Promise<boolean> =>
  waitFor(() => client.status === 'ready', { description: 'redis ready' });

/** Counts the client's error events, i.e. its failed connection attempts. */
const countErrors = (client: Redis): { count: number } => {
  const errors = { count: 0 };
  client.on('error', () => errors.count++);
  return errors;
};

describe('createRedis', () => {
  test('when Redis answers, then commands work and keys carry the key prefix', async () => {
    // Arrange
    const keyPrefix = `${uniqueName('redis')}:`;
    const redis = track(createRedis({ url: REDIS_URL, keyPrefix, log: silentLogger(), name: 'test' }));
    const plain = track(createRedis({ url: REDIS_URL, log: silentLogger() }));
    await Promise.all([ready(redis), ready(plain)]);

    // Act
    await redis.set('k', 'v', 'EX', 60);

    // Assert
    await expect(pingRedis(redis)).resolves.toBeUndefined();
    expect(await plain.get(`${keyPrefix}k`)).toBe('v');
    expect(await redis.client('GETNAME')).toBe('test');
    await plain.del(`${keyPrefix}k`);
  });

  test('when nothing listens on the port, then a command rejects at once instead of queueing', async () => {
    // Arrange
    const redis = track(createRedis({ url: `redis://127.0.0.1:${await closedPort()}`, log: silentLogger() }));

    // Act
    const started = Date.now();
    const ping = pingRedis(redis);

    // Assert
    await expect(ping).rejects.toThrow(/enableOfflineQueue/);
    expect(Date.now() - started).toBeLessThan(500);
  });

  test('when Redis stays unreachable across reconnects, then "redis unavailable" is logged once', async () => {
    // Arrange
    const { log, lines } = captureLogger();

    // Act
    const redis = track(createRedis({ url: `redis://127.0.0.1:${await closedPort()}`, log }));
    const errors = countErrors(redis);
    await waitFor(() => errors.count >= 3, { description: 'three failed connection attempts' });

    // Assert
    expect(lines.filter((l) => l.message === 'redis unavailable')).toEqual([
      expect.objectContaining({ level: 'warn' }),
    ]);
  });

  test('when Redis comes back after an outage, then one warning, one "restored" and commands work again', async () => {
    // Arrange
    const { log, lines } = captureLogger();
    const proxy = await tcpProxy({ host: '127.0.0.1', port: 6379 });
    proxies.push(proxy);
    await proxy.up();
    const redis = track(createRedis({ url: `redis://127.0.0.1:${proxy.port}`, log }));
    await ready(redis);

    // Act
    await proxy.down();
    await waitFor(() => lines.some((l) => l.message === 'redis unavailable'), { description: 'outage' });
    await proxy.up();
    await ready(redis);

    // Assert
    await expect(pingRedis(redis)).resolves.toBeUndefined();
    expect(lines.map((l) => [l.level, l.message])).toEqual([
      ['warn', 'redis unavailable'],
      ['info', 'redis connection restored'],
    ]);
  });
});

describe('closeRedis', () => {
  test('when the client is ready, then it quits and ends, and closing again is a no-op', async () => {
    // Arrange
    const redis = track(createRedis({ url: REDIS_URL, log: silentLogger() }));
    await ready(redis);

    // Act
    await closeRedis(redis);

    // Assert
    await waitFor(() => redis.status === 'end', { description: 'client ended' });
    await expect(closeRedis(redis)).resolves.toBeUndefined();
    await expect(pingRedis(redis)).rejects.toThrow('Connection is closed');
  });

  test('when the client is still connecting, then it ends without another attempt', async () => {
    // Arrange
    const redis = track(createRedis({ url: `redis://127.0.0.1:${await closedPort()}`, log: silentLogger() }));

    // Act
    await closeRedis(redis);

    // Assert
    await waitFor(() => redis.status === 'end', { description: 'client ended' });
  });

  test('when the client is between reconnect attempts, then closing is immediate and commands fail', async () => {
    // Arrange: Redis was never reachable; ioredis waits for its next attempt
    const redis = track(createRedis({ url: `redis://127.0.0.1:${await closedPort()}`, log: silentLogger() }));
    await waitFor(() => redis.status === 'reconnecting', { description: 'waiting to reconnect' });

    // Act
    const started = Date.now();
    await closeRedis(redis);

    // Assert: the file's clean exit shows no retry timer is left behind
    expect(Date.now() - started).toBeLessThan(100);
    await expect(pingRedis(redis)).rejects.toThrow();
  });
});

describe('redisScript', () => {
  // A source no Redis has seen yet: the first call meets NOSCRIPT, as after a restart or SCRIPT FLUSH.
  const unseen = (): string =>
    `-- ${uniqueName('script')}\nredis.call('INCRBY', KEYS[1], ARGV[1]) return redis.call('GET', KEYS[1])`;
  const sha1 = (source: string): string => createHash('sha1').update(source).digest('hex');

  test('when Redis does not know the script, then run falls back to EVAL once and later calls use its SHA', async () => {
    // Arrange
    const keyPrefix = `${uniqueName('redis')}:`;
    const redis = track(createRedis({ url: REDIS_URL, keyPrefix, log: silentLogger() }));
    await ready(redis);
    const source = unseen();
    const script = redisScript(source);
    // Act
    const first = await script.run(redis, ['n'], [2]);
    const second = await script.run(redis, ['n'], [3]);
    // Assert
    expect([first, second]).toEqual(['2', '5']);
    expect(await redis.script('EXISTS', sha1(source))).toEqual([1]);
    expect(await redis.get('n')).toBe('5');
    await redis.del('n');
  });

  test('when Redis does not know the script, then runMany loads it and sends the batch again', async () => {
    // Arrange
    const keyPrefix = `${uniqueName('redis')}:`;
    const redis = track(createRedis({ url: REDIS_URL, keyPrefix, log: silentLogger() }));
    await ready(redis);
    const script = redisScript(unseen());
    // Act
    const replies = await script.runMany(redis, (queue) => {
      queue(['a'], [1]);
      queue(['b'], [10]);
    });
    // Assert: each call ran exactly once, the failed first batch changed nothing
    expect(replies).toEqual(['1', '10']);
    expect(await redis.mget('a', 'b')).toEqual(['1', '10']);
    await redis.del('a', 'b');
  });

  test('when one call of a batch fails, then runMany throws that error', async () => {
    // Arrange
    const redis = track(
      createRedis({ url: REDIS_URL, keyPrefix: `${uniqueName('redis')}:`, log: silentLogger() }),
    );
    await ready(redis);
    const script = redisScript(unseen());
    // Act
    const run = script.runMany(redis, (queue) => {
      queue(['ok'], [1]);
      queue(['bad'], ['not a number']);
    });
    // Assert
    await expect(run).rejects.toThrow(/not an integer/);
    await redis.del('ok');
  });
});
