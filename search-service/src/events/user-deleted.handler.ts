import type { IntegrationEventHandler, UserDeletedEvent } from '@social/common/events';
import type { SearchDeps } from '../domain/deps';
import { forgetUserPosts } from '../domain/forget-post';

/** A deleted account's posts leave search at once (post-service's post.deleted for each follows, idempotently). */
export const handleUserDeleted =
  (deps: SearchDeps): IntegrationEventHandler<UserDeletedEvent> =>
  async ({ data }) => {
    const count = await forgetUserPosts(deps, data.userId);
    deps.log.info("deleted account's posts removed from search", { userId: data.userId, count });
  };
