import { pingEventBus, type EventBus } from '@social/common/events';
import type { Readiness } from '@social/common/health';
import { pingMongo, type Connection } from '@social/common/mongo';

/** Media records live in MongoDB; without the broker only the cleanup of deleted posts' media waits. */
export function mediaReadiness(deps: {
  conn: Connection;
  bus: Pick<EventBus, 'isConnected'>;
  storage: string;
}): Readiness {
  return {
    required: { mongo: () => pingMongo(deps.conn) },
    optional: { rabbitmq: () => pingEventBus(deps.bus) },
    details: () => ({ storage: deps.storage }),
  };
}
