import { createLogger } from '@social/common/logger';
import { closeRedis, createRedis, redisReady } from '@social/common/redis';

/** The Redis server's pid, from INFO (it runs beside the stack, not in it); 0 when INFO does not say. */
export async function redisPid(url: string): Promise<number> {
  const client = createRedis({ url, log: createLogger({ service: 'bench', level: 'warn', json: false }) });
  try {
    await redisReady(client);
    const info = await client.info('server');
    return Number(/process_id:(\d+)/.exec(info)?.[1] ?? 0);
  } finally {
    await closeRedis(client);
  }
}
