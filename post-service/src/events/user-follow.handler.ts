import type { IntegrationEventHandler, UserFollowedEvent, UserUnfollowedEvent } from '@social/common/events';
import { EventTypes } from '@social/common/events';
import type { Logger } from '@social/common/logger';
import { projectFollow, type ProjectUserDeps } from '../domain/project-user';

/** user.followed / user.unfollowed into the follow-graph projection; `at` orders them, not arrival. */
export const handleUserFollow =
  (
    deps: ProjectUserDeps & { log: Logger },
  ): IntegrationEventHandler<UserFollowedEvent | UserUnfollowedEvent> =>
  async (event) => {
    const { followerId, followeeId, at } = event.data;
    const outcome = await projectFollow(deps, {
      followerId,
      followeeId,
      at,
      active: event.type === EventTypes.UserFollowed,
    });
    deps.log.debug('follow edge projected', { followerId, followeeId, type: event.type, outcome });
  };
