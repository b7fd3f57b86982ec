import { mongoose, type Connection } from '@social/common/mongo';

const { Schema } = mongoose;

/**
 * One like per (post, user): the unique pair index is what makes a like idempotent under concurrency, and
 * the post's `likeCount` moves only for the call that inserted or removed the edge.
 */
export interface LikeDoc {
  _id: mongoose.Types.ObjectId;
  postId: string;
  userId: string;
  createdAt: Date;
}

export type LikeModel = mongoose.Model<LikeDoc>;

const likeSchema = new Schema<LikeDoc>(
  {
    postId: { type: String, required: true },
    userId: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { collection: 'likes', versionKey: false },
);
likeSchema.index({ postId: 1, userId: 1 }, { unique: true });
// likedByMe for a page of posts ({userId, postId: {$in}}) and a deleted user's likes.
likeSchema.index({ userId: 1, postId: 1 });

export const createLikeModel = (conn: Connection): LikeModel => conn.model<LikeDoc>('Like', likeSchema);

const isDuplicateKey = (err: unknown): boolean =>
  err instanceof mongoose.mongo.MongoServerError && err.code === 11000;

/**
 * Inserts the edge. True only for the call that created it: a second like, or the loser of two racing ones
 * (its upsert collides with the unique index), changes nothing.
 */
export async function insertLike(
  likes: LikeModel,
  pair: { postId: string; userId: string },
): Promise<boolean> {
  try {
    const result = await likes.updateOne(pair, { $setOnInsert: { createdAt: new Date() } }, { upsert: true });
    return result.upsertedCount === 1;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

/** Removes the edge. True only for the call that removed it. */
export async function removeLike(
  likes: LikeModel,
  pair: { postId: string; userId: string },
): Promise<boolean> {
  const result = await likes.deleteOne({ postId: pair.postId, userId: pair.userId });
  return result.deletedCount === 1;
}

/** How many likes the post has, counted from the edges (the repair of a count a failed change left off). */
export const countLikesOf = (likes: LikeModel, postId: string): Promise<number> =>
  likes.countDocuments({ postId });

/** Which of `postIds` the user likes (likedByMe for a whole page in one query). */
export async function likedAmong(
  likes: LikeModel,
  query: { userId: string; postIds: string[] },
): Promise<Set<string>> {
  if (query.postIds.length === 0) return new Set();
  const found = await likes
    .find({ userId: query.userId, postId: { $in: query.postIds } }, { _id: 0, postId: 1 })
    .limit(query.postIds.length)
    .lean<Pick<LikeDoc, 'postId'>[]>();
  return new Set(found.map((l) => l.postId));
}

/** Up to `limit` of the user's likes (a deleted account's likes are removed in batches). */
export async function findLikesOf(
  likes: LikeModel,
  userId: string,
  limit: number,
): Promise<Pick<LikeDoc, 'postId' | 'userId'>[]> {
  return likes
    .find({ userId }, { _id: 0, postId: 1, userId: 1 })
    .limit(limit)
    .lean<Pick<LikeDoc, 'postId' | 'userId'>[]>();
}

/** Removes every like of a post (the post is going away: no counter to keep). */
export async function deleteLikesOfPost(likes: LikeModel, postId: string): Promise<number> {
  return (await likes.deleteMany({ postId })).deletedCount;
}
