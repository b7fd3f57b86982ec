import { pingEventBus, type EventBus } from '@social/common/events';
import type { Readiness } from '@social/common/health';
import { pingMongo, type Connection } from '@social/common/mongo';

/** Searches need MongoDB; without the broker the index only falls behind (events wait in the queue). */
export function searchReadiness(deps: { conn: Connection; bus: Pick<EventBus, 'isConnected'> }): Readiness {
  return {
    required: { mongo: () => pingMongo(deps.conn) },
    optional: { rabbitmq: () => pingEventBus(deps.bus) },
  };
}
