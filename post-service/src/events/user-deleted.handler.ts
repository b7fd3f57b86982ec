import type { IntegrationEventHandler, UserDeletedEvent } from '@social/common/events';
import type { Logger } from '@social/common/logger';
import { deleteUserPosts } from '../domain/delete-user-posts';
import type { DeletePostDeps } from '../domain/delete-post';
import { forgetAuthor, forgetFeed, forgetFollowEdges, type ProjectUserDeps } from '../domain/project-user';

export type UserDeletedDeps = DeletePostDeps & ProjectUserDeps & { log: Logger };

/** One thing post-service forgets about a deleted account. Each step is idempotent on its own. */
export interface UserDeletionStep {
  name: string;
  run(cmd: { userId: string; correlationId: string }): Promise<unknown>;
}

/**
 * Everything post-service holds about an account, in the order it is forgotten. The author tombstone goes
 * first so late profile or follow events stop at it; posts go through the normal delete path (each publishes
 * post.deleted, so search and media clean up). Another kind of data (likes, comments) is one more entry here.
 */
export const userDeletionSteps = (deps: UserDeletedDeps): UserDeletionStep[] => [
  { name: 'author', run: ({ userId }) => forgetAuthor(deps, userId) },
  { name: 'posts', run: (cmd) => deleteUserPosts(deps, cmd) },
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
