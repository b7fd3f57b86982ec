import type { IntegrationEventHandler, UserRegisteredEvent, UserUpdatedEvent } from '@social/common/events';
import type { Logger } from '@social/common/logger';
import { projectAuthor, type ProjectUserDeps } from '../domain/project-user';

type Deps = Pick<ProjectUserDeps, 'authors' | 'authorCache'> & { log: Logger };

/** user.registered and user.updated carry the same public profile; the newer one wins, whatever the order. */
export const handleUserProfile =
  (deps: Deps): IntegrationEventHandler<UserRegisteredEvent | UserUpdatedEvent> =>
  async (event) => {
    const { userId, username, displayName } = event.data;
    const changed = await projectAuthor(deps, {
      userId,
      username,
      displayName,
      occurredAt: event.occurredAt,
    });
    deps.log.debug('author projected', { userId, eventId: event.id, changed });
  };
