import { pingEventBus, type EventBus } from '@social/common/events';
import type { Readiness } from '@social/common/health';
import { pingMongo, type Connection } from '@social/common/mongo';
import { pingRedis, type Redis } from '@social/common/redis';
import type { OutboxRelay } from './events/outbox-relay';

/**
 * Posts live in MongoDB: without it nothing works. Redis is a cache that fails soft and the broker's events
 * wait in the outbox, so both only degrade the service; details carry the outbox backlog.
 */
export function postReadiness(deps: {
  conn: Connection;
  redis?: Redis;
  bus: Pick<EventBus, 'isConnected'>;
  outbox: Pick<OutboxRelay, 'backlog'>;
}): Readiness {
  const { redis } = deps;
  return {
    required: { mongo: () => pingMongo(deps.conn) },
    optional: {
      ...(redis ? { redis: () => pingRedis(redis) } : {}),
      rabbitmq: () => pingEventBus(deps.bus),
    },
    details: async () => ({ outboxBacklog: await deps.outbox.backlog().catch(() => 'unknown') }),
  };
}
