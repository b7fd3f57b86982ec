import { pingEventBus, type EventBus } from '@social/common/events';
import type { Readiness } from '@social/common/health';
import { pingMongo, type Connection } from '@social/common/mongo';
import { pingRedis, type Redis } from '@social/common/redis';
import type { OutboxRelay } from './events/outbox-relay';

/** MongoDB, Redis (when caching is on) and RabbitMQ reachable; details carry the outbox backlog. */
export function postReadiness(deps: {
  conn: Connection;
  redis?: Redis;
  bus: Pick<EventBus, 'isConnected'>;
  outbox: Pick<OutboxRelay, 'backlog'>;
}): Readiness {
  const { redis } = deps;
  return {
    checks: {
      mongo: () => pingMongo(deps.conn),
      ...(redis ? { redis: () => pingRedis(redis) } : {}),
      rabbitmq: () => pingEventBus(deps.bus),
    },
    details: async () => ({ outboxBacklog: await deps.outbox.backlog().catch(() => 'unknown') }),
  };
}
