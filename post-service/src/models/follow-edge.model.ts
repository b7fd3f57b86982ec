import { mongoose, type Connection } from '@social/common/mongo';

const { Schema } = mongoose;

/**
 * post-service's own copy of the follow graph, projected from user.followed / user.unfollowed. One document per
 * (follower, followee) pair for its whole life; `at` is the time of the transition it last applied, so a late
 * or redelivered event older than what is stored changes nothing (a late followed after an unfollowed does not
 * resurrect the edge).
 */
export interface FollowEdgeDoc {
  _id: mongoose.Types.ObjectId;
  followerId: string;
  followeeId: string;
  active: boolean;
  at: Date;
  /**
   * When this service stored the transition (its own clock, unlike `at`): a home feed built before the newest
   * follow was stored lacks that followee's earlier posts and is rebuilt.
   */
  appliedAt: Date;
}

export type LeanFollowEdge = FollowEdgeDoc;
export type FollowEdgeModel = mongoose.Model<FollowEdgeDoc>;

const followEdgeSchema = new Schema<FollowEdgeDoc>(
  {
    followerId: { type: String, required: true },
    followeeId: { type: String, required: true },
    active: { type: Boolean, required: true },
    at: { type: Date, required: true },
    appliedAt: { type: Date, required: true },
  },
  { collection: 'follow_edges', versionKey: false },
);
followEdgeSchema.index({ followerId: 1, followeeId: 1 }, { unique: true });
// Fan-out reads an author's followers; the feed reads whom a user follows, newest edge first.
followEdgeSchema.index({ followeeId: 1, active: 1 });
followEdgeSchema.index({ followerId: 1, active: 1, appliedAt: -1 });

export const createFollowEdgeModel = (conn: Connection): FollowEdgeModel =>
  conn.model<FollowEdgeDoc>('FollowEdge', followEdgeSchema);

const isDuplicateKey = (err: unknown): boolean =>
  err instanceof mongoose.mongo.MongoServerError && err.code === 11000;

/**
 * Stores the pair's state as of `at`, unless a transition at or after `at` is already stored. True when the
 * stored state changed. The upsert's filter only matches an older document; when a newer one exists the insert
 * it falls back to hits the unique pair index, which is exactly "nothing to do".
 */
export async function applyFollowTransition(
  edges: FollowEdgeModel,
  t: { followerId: string; followeeId: string; active: boolean; at: Date },
): Promise<boolean> {
  const pair = { followerId: t.followerId, followeeId: t.followeeId };
  try {
    const res = await edges.updateOne(
      { ...pair, at: { $lt: t.at } },
      { $set: { active: t.active, at: t.at, appliedAt: new Date() } },
      { upsert: true },
    );
    return res.modifiedCount === 1 || res.upsertedCount === 1;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

/**
 * Whom `followerId` follows now (the most recently stored edges first, at most `limit`), and when the newest of
 * those edges was stored.
 */
export async function followeesOf(
  edges: FollowEdgeModel,
  followerId: string,
  limit: number,
): Promise<{ followeeIds: string[]; lastFollowedAt: number | undefined }> {
  const found = await edges
    .find({ followerId, active: true }, { followeeId: 1, appliedAt: 1 })
    .sort({ appliedAt: -1 })
    .limit(limit)
    .lean<Array<Pick<FollowEdgeDoc, 'followeeId' | 'appliedAt'>>>();
  return { followeeIds: found.map((e) => e.followeeId), lastFollowedAt: found[0]?.appliedAt.getTime() };
}

/** Up to `limit` current followers of `followeeId` (fan-out asks for one more than its threshold). */
export async function followersOf(
  edges: FollowEdgeModel,
  followeeId: string,
  limit: number,
): Promise<string[]> {
  const found = await edges
    .find({ followeeId, active: true }, { followerId: 1 })
    .limit(limit)
    .lean<Array<Pick<FollowEdgeDoc, 'followerId'>>>();
  return found.map((e) => e.followerId);
}

/**
 * A deleted account's edges, both directions. Its id never comes back (ids are ObjectIds), and the author
 * tombstone stops late follow events, so the documents can simply go.
 */
export async function deleteEdgesOf(edges: FollowEdgeModel, userId: string): Promise<number> {
  const res = await edges.deleteMany({ $or: [{ followerId: userId }, { followeeId: userId }] });
  return res.deletedCount;
}
