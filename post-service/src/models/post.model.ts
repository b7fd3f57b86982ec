import { mongoose, type Connection } from '@social/common/mongo';
import {
  EventTypes,
  newIntegrationEvent,
  type OutgoingEvent,
  type PostCreatedData,
  type PostDeletedData,
} from '@social/common/events';

const { Schema, Types } = mongoose;
type ObjectId = InstanceType<typeof Types.ObjectId>;

/** An integration event waiting in the post's own document until the broker confirmed it (outbox). */
export type PendingEvent = OutgoingEvent<string, PostCreatedData | PostDeletedData>;

export interface PostDoc {
  _id: ObjectId;
  userId: string;
  content: string;
  mediaIds: string[];
  createdAt: Date;
  updatedAt: Date;
  /** Set by a delete; the relay removes the document once post.deleted is confirmed. */
  deletedAt: Date | null;
  pendingEvents: PendingEvent[];
  /** Events the broker can never take (they fail the contract): kept for inspection instead of blocking the relay. */
  failedEvents?: Array<PendingEvent & { reason: string; failedAt: Date }>;
}

/** What reads return: the post without its outbox. */
export type LeanPost = Omit<PostDoc, 'pendingEvents' | 'failedEvents'>;
export type PostModel = mongoose.Model<PostDoc>;

export interface PostDto {
  id: string;
  userId: string;
  content: string;
  mediaIds: string[];
  createdAt: string;
  updatedAt: string;
}

const pendingEventSchema = new Schema<PendingEvent>(
  {
    id: { type: String, required: true },
    type: { type: String, required: true },
    occurredAt: { type: String, required: true },
    data: { type: Schema.Types.Mixed, required: true },
    correlationId: { type: String },
  },
  { _id: false },
);

const postSchema = new Schema<PostDoc>(
  {
    userId: { type: String, required: true },
    content: { type: String, required: true, maxlength: 5000 },
    mediaIds: { type: [String], default: [] },
    deletedAt: { type: Date, default: null },
    pendingEvents: { type: [pendingEventSchema], default: [] },
    failedEvents: { type: [Schema.Types.Mixed], default: undefined },
  },
  { collection: 'posts', timestamps: true, versionKey: false },
);
// The list: visible posts, newest first.
postSchema.index({ deletedAt: 1, createdAt: -1, _id: -1 });
// The relay's scan: only documents that still carry events are in this index.
postSchema.index({ 'pendingEvents.id': 1 }, { sparse: true });

export const createPostModel = (conn: Connection): PostModel => conn.model<PostDoc>('Post', postSchema);

export const toPostDto = (d: LeanPost): PostDto => ({
  id: d._id.toHexString(),
  userId: d.userId,
  content: d.content,
  mediaIds: d.mediaIds,
  createdAt: d.createdAt.toISOString(),
  updatedAt: d.updatedAt.toISOString(),
}); // never pendingEvents or deletedAt

const visible = { deletedAt: null };
const withoutOutbox = { pendingEvents: 0, failedEvents: 0 } as const;

/** Inserts the post and its post.created event in one document write: both exist, or neither. */
export async function insertPostWithEvent(
  posts: PostModel,
  input: { userId: string; content: string; mediaIds: string[]; correlationId?: string },
): Promise<LeanPost> {
  const _id = new Types.ObjectId();
  const createdAt = new Date(); // the event needs both before the insert
  const event = newIntegrationEvent(
    EventTypes.PostCreated,
    {
      postId: _id.toHexString(),
      userId: input.userId,
      content: input.content,
      mediaIds: input.mediaIds,
      createdAt: createdAt.toISOString(),
    },
    { correlationId: input.correlationId },
  );
  const doc = await posts.create({
    _id,
    userId: input.userId,
    content: input.content,
    mediaIds: input.mediaIds,
    createdAt,
    updatedAt: createdAt,
    deletedAt: null,
    pendingEvents: [event],
  });
  const { pendingEvents: _outbox, ...post } = doc.toObject<PostDoc>();
  return post;
}

export async function findVisiblePost(posts: PostModel, postId: string): Promise<LeanPost | null> {
  return posts.findOne({ _id: postId, ...visible }, withoutOutbox).lean<LeanPost>();
}

export async function listVisiblePosts(
  posts: PostModel,
  page: { skip: number; limit: number },
): Promise<{ posts: LeanPost[]; total: number }> {
  const [found, total] = await Promise.all([
    posts
      .find(visible, withoutOutbox)
      .sort({ createdAt: -1, _id: -1 })
      .skip(page.skip)
      .limit(page.limit)
      .lean<LeanPost[]>(),
    posts.countDocuments(visible),
  ]);
  return { posts: found, total };
}

/**
 * Soft-deletes the author's post and queues post.deleted in one document write. Returns null when the post
 * does not exist, is already deleted, or belongs to someone else (the caller cannot tell which).
 */
export async function markDeletedWithEvent(
  posts: PostModel,
  cmd: { postId: string; userId: string; correlationId?: string },
): Promise<LeanPost | null> {
  const filter = { _id: cmd.postId, userId: cmd.userId, ...visible };
  // mediaIds never change after creation, so reading them first is safe; the update re-checks deletedAt,
  // so of two concurrent deletes exactly one queues the event.
  const post = await posts.findOne(filter, withoutOutbox).lean<LeanPost>();
  if (!post) return null;
  const event = newIntegrationEvent(
    EventTypes.PostDeleted,
    { postId: cmd.postId, userId: cmd.userId, mediaIds: post.mediaIds },
    { correlationId: cmd.correlationId },
  );
  const deletedAt = new Date();
  const updated = await posts.updateOne(filter, { $set: { deletedAt }, $push: { pendingEvents: event } });
  return updated.modifiedCount === 1 ? { ...post, deletedAt } : null;
}

/** Outbox access for the relay. */
export type OutboxEntry = Pick<PostDoc, '_id' | 'pendingEvents'>;

export async function findPostsWithPendingEvents(posts: PostModel, limit: number): Promise<OutboxEntry[]> {
  return posts
    .find({ 'pendingEvents.id': { $exists: true } }, { pendingEvents: 1 })
    .sort({ _id: 1 })
    .limit(limit)
    .lean<OutboxEntry[]>();
}

/** A confirmed event leaves the outbox; after post.deleted nothing is left to keep, so the post goes too. */
export async function removeConfirmedEvent(
  posts: PostModel,
  postId: ObjectId,
  event: PendingEvent,
): Promise<void> {
  if (event.type === EventTypes.PostDeleted) {
    // Events are published in array order and post.deleted is always last, so nothing is pending after it.
    await posts.deleteOne({ _id: postId, deletedAt: { $ne: null } });
  } else {
    // Outbox bookkeeping is not a change to the post: updatedAt stays.
    await posts.updateOne(
      { _id: postId },
      { $pull: { pendingEvents: { id: event.id } } },
      { timestamps: false },
    );
  }
}

/** Moves an event that fails the contract out of the outbox, so the events behind it can still go out. */
export async function parkInvalidEvent(
  posts: PostModel,
  postId: ObjectId,
  event: PendingEvent,
  reason: string,
): Promise<void> {
  await posts.updateOne(
    { _id: postId },
    {
      $pull: { pendingEvents: { id: event.id } },
      $push: { failedEvents: { ...event, reason, failedAt: new Date() } },
    },
    { timestamps: false },
  );
}

export async function countPendingEvents(posts: PostModel): Promise<number> {
  const [row] = await posts.aggregate<{ n: number }>([
    { $match: { 'pendingEvents.id': { $exists: true } } },
    { $group: { _id: null, n: { $sum: { $size: '$pendingEvents' } } } },
  ]);
  return row?.n ?? 0;
}
