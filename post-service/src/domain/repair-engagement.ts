import type { Logger } from '@social/common/logger';
import type { Counter } from '@social/common/metrics';
import { countCommentsOf } from '../models/comment.model';
import { countLikesOf } from '../models/like.model';
import { findUnfinishedEngagement, resetEngagementCounts } from '../models/post-engagement.model';
import type { EngagementDeps } from './engagement';

export interface RepairEngagementDeps extends EngagementDeps {
  log: Logger;
  /** Posts whose counters were set from their edges. */
  repaired: Counter;
}

/**
 * Recounts the posts a like or comment change left unfinished (post-engagement.model.ts) once no change has
 * begun on them for `quietMs`, far longer than any change takes: by then every change still marked has failed.
 * Their counters become what their edges say, and the cached ones are dropped. Safe beside live traffic and on
 * every replica at once: a post that changed since it was found is left for the next pass. Answers how many
 * posts were repaired.
 */
export async function repairEngagementCounts(
  deps: RepairEngagementDeps,
  opts: { quietMs: number; limit: number },
): Promise<number> {
  const unfinished = await findUnfinishedEngagement(deps.posts, {
    before: new Date(Date.now() - opts.quietMs),
    limit: opts.limit,
  });
  let repaired = 0;
  for (const post of unfinished) {
    const [likeCount, commentCount] = await Promise.all([
      countLikesOf(deps.likes, post.postId),
      countCommentsOf(deps.comments, post.postId),
    ]);
    if (!(await resetEngagementCounts(deps.posts, post, { likeCount, commentCount }))) continue;
    repaired += 1;
    deps.repaired.inc();
    await deps.engagementCache.changed({ postId: post.postId }); // fail-soft
    deps.log.warn('engagement counts recounted after an unfinished change', {
      postId: post.postId,
      unfinished: post.pending,
      likeCount,
      commentCount,
    });
  }
  return repaired;
}
