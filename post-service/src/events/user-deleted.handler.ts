import type { IntegrationEventHandler, UserDeletedEvent } from '@social/common/events';
import type { Logger } from '@social/common/logger';
import { deleteUserPosts } from '../domain/delete-user-posts';
import type { DeletePostDeps } from '../domain/delete-post';
import type { EngagementDeps } from '../domain/engagement';
import { forgetAuthor, forgetFeed, forgetFollowEdges, type ProjectUserDeps } from '../domain/project-user';
import { removeUserEngagement } from '../domain/remove-engagement';

export type UserDeletedDeps = DeletePostDeps & ProjectUserDeps & EngagementDeps & { log: Logger };

/** One thing post-service forgets about a deleted account. Each step is idempotent on its own. */
export interface UserDeletionStep {
  name: string;
  run(cmd: { userId: string; correlationId: string }): Promise<unknown>;
}

/**
 * Everything post-service holds about an account, in the order it is forgotten. The author tombstone goes
 * first so late profile or follow events stop at it; posts go through the normal delete path (each publishes
 * post.deleted, so search and media clean up); their likes and comments on others' posts drop those counts.
 */
export const userDeletionSteps = (deps: UserDeletedDeps): UserDeletionStep[] => [
  { name: 'author', run: ({ userId }) => forgetAuthor(deps, userId) },
  { name: 'posts', run: (cmd) => deleteUserPosts(deps, cmd) },
  { name: 'likes and comments', run: ({ userId }) => removeUserEngagement(deps, { userId }) },
  { name: 'follow edges', run: ({ userId }) => forgetFollowEdges(deps, userId) },
  { name: 'home feed', run: ({ userId }) => forgetFeed(deps, userId) },
];

/** Runs every step; a failing one throws, and the redelivery repeats the steps that already succeeded harmlessly. */
export const handleUserDeleted =
  (
    deps: UserDeletedDeps,
    steps: UserDeletionStep[] = userDeletionSteps(deps),
  ): IntegrationEventHandler<UserDeletedEvent> =>
  async (event, ctx) => {
    const cmd = { userId: event.data.userId, correlationId: ctx.correlationId ?? event.id };
    for (const step of steps) await step.run(cmd);
    deps.log.info('deleted account forgotten', { userId: cmd.userId, steps: steps.map((s) => s.name) });
  };
