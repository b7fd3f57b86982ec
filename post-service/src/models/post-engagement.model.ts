import type { PostModel } from './post.model';

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

/**
 * Moves the post's counters after an edge moved and answers the new values. With `visibleOnly`, a post that is
 * gone or soft-deleted is not touched and the answer is null (the caller then undoes its edge). Likes are not
 * edits: `updatedAt` stays.
 */
export async function changeEngagementCounts(
  posts: PostModel,
  cmd: { postId: string; change: CounterChange; visibleOnly: boolean },
): Promise<EngagementCounts | null> {
  const found = await posts
    .findOneAndUpdate(
      { _id: cmd.postId, ...(cmd.visibleOnly ? visible : {}) },
      { $inc: cmd.change },
      { new: true, projection: countsOnly, timestamps: false },
    )
    .lean<Partial<EngagementCounts>>();
  return found && read(found);
}

/** The counters of a visible post, or null when it is unknown or deleted. */
export async function findVisibleCounts(posts: PostModel, postId: string): Promise<EngagementCounts | null> {
  const found = await posts
    .findOne({ _id: postId, ...visible }, countsOnly)
    .lean<Partial<EngagementCounts>>();
  return found && read(found);
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
