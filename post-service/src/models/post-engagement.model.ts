import type { PostDoc, PostModel } from './post.model';

/** A post's counters as stored; older posts without them count 0. */
export interface EngagementCounts {
  likeCount: number;
  commentCount: number;
}

type CounterChange = Partial<Record<keyof EngagementCounts, 1 | -1>>;

const visible = { deletedAt: null };
const countsOnly = { _id: 0, likeCount: 1, commentCount: 1 } as const;

// A like/unlike racing with another can leave a counter below zero for a moment (the decrement landed first);
// readers never show that.
const read = (d: Partial<EngagementCounts>): EngagementCounts => ({
  likeCount: Math.max(0, d.likeCount ?? 0),
  commentCount: Math.max(0, d.commentCount ?? 0),
});

/*
 * A counter moves in a separate write from its edge (a like, a comment), and standalone MongoDB has no
 * transaction to join them. So every change is bracketed on the post itself: `beginEngagementChange` counts one
 * more change in flight and stamps when it began, the edge moves, and `finishEngagementChange` moves the counter
 * and counts the change done, in one write. A change that never finishes (its process died, MongoDB failed between
 * the edge and the counter) leaves the post marked, and once no change has begun on it for a while,
 * `resetEngagementCounts` sets its counters to what its edges say.
 */

/**
 * Marks a change beginning on the post (with `visibleOnly`, only on a visible one) and answers its counters and
 * author, or null when there is no such post (then nothing was marked).
 */
export async function beginEngagementChange(
  posts: PostModel,
  cmd: { postId: string; visibleOnly: boolean },
): Promise<(EngagementCounts & { authorId: string }) | null> {
  const found = await posts
    .findOneAndUpdate(
      { _id: cmd.postId, ...(cmd.visibleOnly ? visible : {}) },
      { $inc: { engagementPending: 1 }, $set: { engagementChangedAt: new Date() } },
      { new: true, projection: { ...countsOnly, userId: 1 }, timestamps: false },
    )
    .lean<Partial<EngagementCounts> & Pick<PostDoc, 'userId'>>();
  return found && { ...read(found), authorId: found.userId };
}

/**
 * Finishes a change begun with `beginEngagementChange`: moves the counters by `change` (nothing when its edge did
 * not move) and answers the new values. With `visibleOnly`, a post deleted meanwhile is not touched and the
 * answer is null (the caller then undoes its edge). Likes are not edits: `updatedAt` stays.
 */
export async function finishEngagementChange(
  posts: PostModel,
  cmd: { postId: string; change: CounterChange; visibleOnly: boolean },
): Promise<EngagementCounts | null> {
  const found = await posts
    .findOneAndUpdate(
      { _id: cmd.postId, ...(cmd.visibleOnly ? visible : {}) },
      { $inc: { ...cmd.change, engagementPending: -1 } },
      { new: true, projection: countsOnly, timestamps: false },
    )
    .lean<Partial<EngagementCounts>>();
  return found && read(found);
}

/** A visible post with changes that have not finished: how many, and when the latest began. */
export interface UnfinishedEngagement {
  postId: string;
  pending: number;
  changedAt: Date;
}

/** Up to `limit` visible posts whose latest unfinished change began before `before`. */
export async function findUnfinishedEngagement(
  posts: PostModel,
  query: { before: Date; limit: number },
): Promise<UnfinishedEngagement[]> {
  const found = await posts
    .find(
      { engagementPending: { $gt: 0 }, engagementChangedAt: { $lt: query.before }, ...visible },
      { _id: 1, engagementPending: 1, engagementChangedAt: 1 },
    )
    .sort({ engagementChangedAt: 1 })
    .limit(query.limit)
    .lean<Required<Pick<PostDoc, '_id' | 'engagementPending' | 'engagementChangedAt'>>[]>();
  return found.map((d) => ({
    postId: d._id.toHexString(),
    pending: d.engagementPending,
    changedAt: d.engagementChangedAt,
  }));
}

/**
 * Sets the post's counters to `counts` (what its edges say) and clears its mark, only if no change began or
 * finished on it since it was found: such a change could have moved an edge the counts did or did not see. True
 * when the counters were set.
 */
export async function resetEngagementCounts(
  posts: PostModel,
  post: UnfinishedEngagement,
  counts: EngagementCounts,
): Promise<boolean> {
  const result = await posts.updateOne(
    { _id: post.postId, engagementPending: post.pending, engagementChangedAt: post.changedAt },
    { $set: { ...counts, engagementPending: 0 } },
    { timestamps: false },
  );
  return result.modifiedCount === 1;
}

/** The author of a visible post, or null when it is unknown or deleted. */
export async function findVisibleAuthor(posts: PostModel, postId: string): Promise<string | null> {
  const found = await posts
    .findOne({ _id: postId, ...visible }, { _id: 0, userId: 1 })
    .lean<{ userId: string }>();
  return found?.userId ?? null;
}

/** The counters of each of `postIds` that still exists (one query for a whole page). */
export async function findCountsOf(
  posts: PostModel,
  postIds: string[],
): Promise<Map<string, EngagementCounts>> {
  if (postIds.length === 0) return new Map();
  const found = await posts
    .find({ _id: { $in: postIds } }, { _id: 1, likeCount: 1, commentCount: 1 })
    .limit(postIds.length)
    .lean<(Partial<EngagementCounts> & { _id: { toHexString(): string } })[]>();
  return new Map(found.map((d) => [d._id.toHexString(), read(d)]));
}
