import { keysetAfterAsc, mongoose, type Connection } from '@social/common/mongo';

const { Schema, Types } = mongoose;

export const COMMENT_CONTENT_MAX_LENGTH = 1000;

export interface CommentDoc {
  _id: mongoose.Types.ObjectId;
  postId: string;
  userId: string;
  content: string;
  createdAt: Date;
}

export type CommentModel = mongoose.Model<CommentDoc>;

export interface CommentDto {
  id: string;
  postId: string;
  userId: string;
  content: string;
  createdAt: string;
}

const commentSchema = new Schema<CommentDoc>(
  {
    postId: { type: String, required: true },
    userId: { type: String, required: true },
    content: { type: String, required: true, maxlength: COMMENT_CONTENT_MAX_LENGTH },
    createdAt: { type: Date, required: true },
  },
  { collection: 'comments', versionKey: false },
);
// A post's comments, oldest first (keyset on createdAt then _id); also the post-delete cascade.
commentSchema.index({ postId: 1, createdAt: 1, _id: 1 });
// A deleted user's comments.
commentSchema.index({ userId: 1 });

export const createCommentModel = (conn: Connection): CommentModel =>
  conn.model<CommentDoc>('Comment', commentSchema);

export const toCommentDto = (d: CommentDoc): CommentDto => ({
  id: d._id.toHexString(),
  postId: d.postId,
  userId: d.userId,
  content: d.content,
  createdAt: d.createdAt.toISOString(),
});

export async function insertComment(
  comments: CommentModel,
  input: { postId: string; userId: string; content: string },
): Promise<CommentDoc> {
  const doc = await comments.create({ _id: new Types.ObjectId(), ...input, createdAt: new Date() });
  return doc.toObject<CommentDoc>();
}

/** One page of a post's comments after `position`, oldest first. */
export async function listCommentsOfPost(
  comments: CommentModel,
  query: { postId: string; after?: { t: number; id: string }; limit: number },
): Promise<CommentDoc[]> {
  return comments
    .find({ postId: query.postId, ...keysetAfterAsc('createdAt', query.after) })
    .sort({ createdAt: 1, _id: 1 })
    .limit(query.limit)
    .lean<CommentDoc[]>();
}

/**
 * Deletes the comment when it is on that post and, unless `anyAuthor`, written by `userId`. False when nothing
 * matched: unknown, on another post, someone else's, or already deleted (the caller cannot tell which).
 */
export async function deleteComment(
  comments: CommentModel,
  cmd: { postId: string; commentId: string; userId: string; anyAuthor: boolean },
): Promise<boolean> {
  const filter = { _id: cmd.commentId, postId: cmd.postId, ...(cmd.anyAuthor ? {} : { userId: cmd.userId }) };
  return (await comments.deleteOne(filter)).deletedCount === 1;
}

/** Deletes one comment by id (a half-written comment on a post deleted meanwhile). */
export async function deleteCommentById(comments: CommentModel, commentId: string): Promise<boolean> {
  return (await comments.deleteOne({ _id: commentId })).deletedCount === 1;
}

/** Up to `limit` of the user's comments (a deleted account's comments are removed in batches). */
export async function findCommentsOf(
  comments: CommentModel,
  userId: string,
  limit: number,
): Promise<{ id: string; postId: string }[]> {
  const found = await comments
    .find({ userId }, { _id: 1, postId: 1 })
    .limit(limit)
    .lean<Pick<CommentDoc, '_id' | 'postId'>[]>();
  return found.map((c) => ({ id: c._id.toHexString(), postId: c.postId }));
}

/** Removes every comment of a post (the post is going away: no counter to keep). */
export async function deleteCommentsOfPost(comments: CommentModel, postId: string): Promise<number> {
  return (await comments.deleteMany({ postId })).deletedCount;
}

/** How many comments the post has, counted (the repair of a count a failed change left off). */
export const countCommentsOf = (comments: CommentModel, postId: string): Promise<number> =>
  comments.countDocuments({ postId });
