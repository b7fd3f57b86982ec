import { pingEventBus, type EventBus } from '@social/common/events';
import type { Readiness } from '@social/common/health';
import { pingMongo, type Connection } from '@social/common/mongo';

/** MongoDB and RabbitMQ reachable: without the broker the index falls behind. */
export function searchReadiness(deps: { conn: Connection; bus: Pick<EventBus, 'isConnected'> }): Readiness {
  return {
    checks: {
      mongo: () => pingMongo(deps.conn),
      rabbitmq: () => pingEventBus(deps.bus),
    },
  };
}
