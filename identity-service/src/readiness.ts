import { pingEventBus, type EventBus } from '@social/common/events';
import type { Readiness } from '@social/common/health';
import { pingMongo, type Connection } from '@social/common/mongo';
import type { OutboxRelay } from '@social/common/outbox';
import { pingRedis, type Redis } from '@social/common/redis';

/**
 * Users live in MongoDB: without it nothing works. Redis only holds limiter counters (they fail open) and the
 * broker's events wait in the outbox, so both only degrade the service; details carry the outbox backlog.
 */
export const identityReadiness = (deps: {
  conn: Connection;
  redis: Redis;
  bus: Pick<EventBus, 'isConnected'>;
  outbox: Pick<OutboxRelay, 'backlog'>;
}): Readiness => ({
  required: { mongo: () => pingMongo(deps.conn) },
  optional: { redis: () => pingRedis(deps.redis), rabbitmq: () => pingEventBus(deps.bus) },
  details: async () => ({ outboxBacklog: await deps.outbox.backlog().catch(() => 'unknown') }),
});
