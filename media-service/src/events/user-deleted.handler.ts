import type { IntegrationEventHandler, UserDeletedEvent } from '@social/common/events';
import { deleteUserMedia, type DeletePostMediaDeps } from '../domain/delete-post-media';

/** A deleted account loses all its media, posted or not. Resolves to ack; a failure throws and is retried. */
export const handleUserDeleted =
  (deps: DeletePostMediaDeps): IntegrationEventHandler<UserDeletedEvent> =>
  async ({ data }) => {
    await deleteUserMedia(deps, { userId: data.userId });
  };
