import { EventTypes, newIntegrationEvent } from '@social/common/events';
import { keysetAfterDesc, mongoose, type Connection } from '@social/common/mongo';
import {
  createMongoOutboxStore,
  outboxPlugin,
  withoutOutboxFields,
  type OutboxFields,
  type OutboxStore,
} from '@social/common/outbox';

const { Schema } = mongoose;

/**
 * One follow edge per (follower, followee) pair, kept for its whole life: following makes it active, unfollowing
 * inactive, and each transition queues its event (user.followed / user.unfollowed) in the same write (outbox).
 * The unique pair index and the state in the filter make every transition happen once under concurrency, so
 * the counters on the users move exactly when an edge did.
 */
export interface FollowDoc extends OutboxFields {
  _id: mongoose.Types.ObjectId;
  followerId: string;
  followeeId: string;
  active: boolean;
  /** When the edge became active last: lists sort on it, newest first. */
  since: Date;
}

export type LeanFollow = Omit<FollowDoc, keyof OutboxFields>;

const followSchema = new Schema<FollowDoc>(
  {
    followerId: { type: String, required: true },
    followeeId: { type: String, required: true },
    active: { type: Boolean, required: true },
    since: { type: Date, required: true },
  },
  { collection: 'follows', versionKey: false },
);
followSchema.index({ followerId: 1, followeeId: 1 }, { unique: true });
// The two lists: a user's followers and whom they follow, newest edge first.
followSchema.index({ followeeId: 1, active: 1, since: -1, _id: -1 });
followSchema.index({ followerId: 1, active: 1, since: -1, _id: -1 });
followSchema.plugin(outboxPlugin);

export type FollowModel = mongoose.Model<FollowDoc>;

export const createFollowModel = (conn: Connection): FollowModel =>
  conn.model<FollowDoc>('Follow', followSchema);

const isDuplicateKey = (err: unknown): boolean =>
  err instanceof mongoose.mongo.MongoServerError && err.code === 11000;

const withoutOutbox = withoutOutboxFields;

const followEvent = (
  type: typeof EventTypes.UserFollowed | typeof EventTypes.UserUnfollowed,
  pair: { followerId: string; followeeId: string },
  at: Date,
  correlationId?: string,
) => newIntegrationEvent(type, { ...pair, at: at.toISOString() }, { correlationId });

/**
 * Makes the edge active, with its user.followed event. True only for the call that moved it: following twice,
 * or two racing follows, move it once (the second finds it active, or loses the insert to the unique index).
 */
export async function activateFollow(
  follows: FollowModel,
  pair: { followerId: string; followeeId: string; correlationId?: string },
): Promise<boolean> {
  const since = new Date();
  const edge = { followerId: pair.followerId, followeeId: pair.followeeId };
  const event = followEvent(EventTypes.UserFollowed, edge, since, pair.correlationId);
  try {
    const result = await follows.updateOne(
      { ...edge, active: { $ne: true } },
      { $set: { active: true, since }, $push: { pendingEvents: event } },
      { upsert: true },
    );
    return result.modifiedCount + result.upsertedCount === 1;
  } catch (err) {
    // The pair exists and is active (the upsert's insert collided with it): nothing moved.
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

/** Makes the edge inactive, with its user.unfollowed event. True only for the call that moved it. */
export async function deactivateFollow(
  follows: FollowModel,
  pair: { followerId: string; followeeId: string; correlationId?: string },
): Promise<boolean> {
  const edge = { followerId: pair.followerId, followeeId: pair.followeeId };
  const event = followEvent(EventTypes.UserUnfollowed, edge, new Date(), pair.correlationId);
  const result = await follows.updateOne(
    { ...edge, active: true },
    { $set: { active: false }, $push: { pendingEvents: event } },
  );
  return result.modifiedCount === 1;
}

/** Which of `candidateIds` the follower follows (for `followedByMe`). */
export async function followedAmong(
  follows: FollowModel,
  query: { followerId: string; candidateIds: string[] },
): Promise<Set<string>> {
  if (query.candidateIds.length === 0) return new Set();
  const edges = await follows
    .find(
      { followerId: query.followerId, followeeId: { $in: query.candidateIds }, active: true },
      { followeeId: 1 },
    )
    .limit(query.candidateIds.length)
    .lean<Pick<LeanFollow, 'followeeId'>[]>();
  return new Set(edges.map((e) => e.followeeId));
}

/**
 * One page of a user's followers (`side: 'followers'`) or followees (`side: 'following'`), newest edge first,
 * after `position` (keyset: a list that changes meanwhile neither skips nor repeats entries).
 */
export async function listFollowEdges(
  follows: FollowModel,
  query: {
    userId: string;
    side: 'followers' | 'following';
    after?: { t: number; id: string };
    limit: number;
  },
): Promise<LeanFollow[]> {
  const owner = query.side === 'followers' ? { followeeId: query.userId } : { followerId: query.userId };
  return follows
    .find({ ...owner, active: true, ...keysetAfterDesc('since', query.after) }, withoutOutbox)
    .sort({ since: -1, _id: -1 })
    .limit(query.limit)
    .lean<LeanFollow[]>();
}

/** Up to `limit` active edges touching `userId` on either side (account deletion works through them). */
export async function findActiveEdgesOf(
  follows: FollowModel,
  userId: string,
  limit: number,
): Promise<LeanFollow[]> {
  return follows
    .find({ $or: [{ followerId: userId }, { followeeId: userId }], active: true }, withoutOutbox)
    .limit(limit)
    .lean<LeanFollow[]>();
}

/**
 * Retires an edge of a deleted account: inactive, without an event (user.deleted tells every consumer). True
 * only for the call that moved it, so the other side's counter drops once.
 */
export async function retireFollow(follows: FollowModel, edgeId: mongoose.Types.ObjectId): Promise<boolean> {
  const result = await follows.updateOne({ _id: edgeId, active: true }, { $set: { active: false } });
  return result.modifiedCount === 1;
}

/** Removes a deleted account's inactive edges that have nothing left to publish. */
export async function purgeInactiveEdgesOf(follows: FollowModel, userId: string): Promise<void> {
  await follows.deleteMany({
    $or: [{ followerId: userId }, { followeeId: userId }],
    active: false,
    'pendingEvents.0': { $exists: false },
  });
}

/** The follow edges' outbox (user.followed / user.unfollowed). */
export const createFollowOutboxStore = (follows: FollowModel): OutboxStore<mongoose.mongo.ObjectId> =>
  createMongoOutboxStore(follows);
