import { keysetAfterDesc, mongoose, type Connection } from '@social/common/mongo';
import {
  createMongoOutboxStore,
  outboxPlugin,
  withoutOutboxFields,
  type OutboxFields,
  type OutboxStore,
} from '@social/common/outbox';
import {
  EventTypes,
  POST_CONTENT_MAX_LENGTH,
  newIntegrationEvent,
  type OutgoingEvent,
  type PostCreatedData,
  type PostDeletedData,
} from '@social/common/events';

const { Schema, Types } = mongoose;
type ObjectId = InstanceType<typeof Types.ObjectId>;

/** An integration event waiting in the post's own document until the broker confirmed it (outbox). */
export type PendingEvent = OutgoingEvent<string, PostCreatedData | PostDeletedData>;

export interface PostDoc extends OutboxFields<PendingEvent> {
  _id: ObjectId;
  userId: string;
  content: string;
  mediaIds: string[];
  /**
   * What readers need to show the media, in `mediaIds` order, as media-service knew them at create time.
   * Absent on posts created before posts carried it (they read back as no media).
   */
  media?: PostMedia[];
  createdAt: Date;
  updatedAt: Date;
  /** Set by a delete; the relay removes the document once post.deleted is confirmed. */
  deletedAt: Date | null;
  /** Moved only with a like/comment edge (see post-engagement.model.ts); absent on older posts (0). */
  likeCount?: number;
  commentCount?: number;
  /**
   * Counter changes begun and not yet finished, and when the latest began: a change that never finishes (its
   * process died, MongoDB failed between the edge and the counter) leaves the post to be recounted
   * (post-engagement.model.ts). Absent on posts never liked or commented on.
   */
  engagementPending?: number;
  engagementChangedAt?: Date;
  /**
   * 'read' when the author had too many followers to fan the post out: home feeds merge such posts in at read
   * time. Recorded per post, so an author crossing the threshold either way never loses a post from feeds.
   */
  fanout?: 'read';
}

/** One attached media as a post keeps it. */
export interface PostMedia {
  id: string;
  url: string;
  mimeType: string;
}

/** What reads return: the post without its outbox. */
export type LeanPost = Omit<PostDoc, keyof OutboxFields>;
export type PostModel = mongoose.Model<PostDoc>;

export interface PostDto {
  id: string;
  userId: string;
  content: string;
  mediaIds: string[];
  media: PostMedia[];
  createdAt: string;
  updatedAt: string;
}

const postMediaSchema = new Schema<PostMedia>(
  {
    id: { type: String, required: true },
    url: { type: String, required: true },
    mimeType: { type: String, required: true },
  },
  { _id: false },
);

const postSchema = new Schema<PostDoc>(
  {
    userId: { type: String, required: true },
    content: { type: String, required: true, maxlength: POST_CONTENT_MAX_LENGTH },
    mediaIds: { type: [String], default: [] },
    media: { type: [postMediaSchema], default: [] },
    deletedAt: { type: Date, default: null },
    likeCount: { type: Number, default: 0 },
    commentCount: { type: Number, default: 0 },
    engagementPending: { type: Number },
    engagementChangedAt: { type: Date },
    fanout: { type: String, enum: ['read'] },
  },
  { collection: 'posts', timestamps: true, versionKey: false },
);
// pendingEvents, failedEvents, outboxClaim and the relay's index.
postSchema.plugin(outboxPlugin);
// The list: visible posts, newest first.
postSchema.index({ deletedAt: 1, createdAt: -1, _id: -1 });
// A user's timeline, and home feeds read from MongoDB (`userId: {$in: …}`), newest first.
postSchema.index({ userId: 1, deletedAt: 1, createdAt: -1, _id: -1 });
// The posts home feeds merge in at read time (authors over the fan-out threshold).
postSchema.index({ fanout: 1, userId: 1, createdAt: -1, _id: -1 });
// Posts with a counter change that did not finish, for the repair; only those are in the index.
postSchema.index(
  { engagementChangedAt: 1 },
  { partialFilterExpression: { engagementPending: { $gt: 0 } }, name: 'engagement_pending' },
);

export const createPostModel = (conn: Connection): PostModel => conn.model<PostDoc>('Post', postSchema);

export const toPostDto = (d: LeanPost): PostDto => ({
  id: d._id.toHexString(),
  userId: d.userId,
  content: d.content,
  mediaIds: d.mediaIds,
  media: (d.media ?? []).map(({ id, url, mimeType }) => ({ id, url, mimeType })),
  createdAt: d.createdAt.toISOString(),
  updatedAt: d.updatedAt.toISOString(),
}); // never pendingEvents or deletedAt

const visible = { deletedAt: null };
const withoutOutbox = withoutOutboxFields;

/** Inserts the post and its post.created event in one document write: both exist, or neither. */
export async function insertPostWithEvent(
  posts: PostModel,
  input: { userId: string; content: string; mediaIds: string[]; media: PostMedia[]; correlationId?: string },
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
    media: input.media,
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

/**
 * The relay's view of the posts collection. Events go out in array order and post.deleted is always the
 * last one queued, so once it is confirmed nothing is left to keep: the soft-deleted post is removed.
 */
export const createPostOutboxStore = (posts: PostModel): OutboxStore<ObjectId> =>
  createMongoOutboxStore(posts, {
    finalizeWhen: (event) =>
      event.type === EventTypes.PostDeleted ? { deletedAt: { $ne: null } } : undefined,
  });

/** A position in a newest-first list: the item's createdAt (ms) and id. */
export interface ListPosition {
  t: number;
  id: string;
}

/** Items at or after `until` in newest-first order, i.e. not older than it: the lower bound of a window. */
function notOlderThan(until: ListPosition): Record<string, unknown> {
  const t = new Date(until.t);
  const id = new Types.ObjectId(until.id);
  return { $or: [{ createdAt: { $gt: t } }, { createdAt: t, _id: { $gte: id } }] };
}

/**
 * Visible posts of the given authors after `after`, newest first. `until` bounds the window from below
 * (inclusive) and `fanOutOnReadOnly` keeps only the posts home feeds merge in at read time.
 */
export async function listVisiblePostsByAuthors(
  posts: PostModel,
  q: {
    authorIds: string[];
    after?: ListPosition;
    until?: ListPosition;
    fanOutOnReadOnly?: boolean;
    limit: number;
  },
): Promise<LeanPost[]> {
  if (q.authorIds.length === 0 || q.limit <= 0) return [];
  const bounds = [keysetAfterDesc('createdAt', q.after), q.until ? notOlderThan(q.until) : {}].filter(
    (b) => Object.keys(b).length > 0,
  );
  return posts
    .find(
      {
        ...(q.fanOutOnReadOnly ? { fanout: 'read' } : {}),
        userId: q.authorIds.length === 1 ? q.authorIds[0] : { $in: q.authorIds },
        ...visible,
        ...(bounds.length > 0 ? { $and: bounds } : {}),
      },
      withoutOutbox,
    )
    .sort({ createdAt: -1, _id: -1 })
    .limit(q.limit)
    .lean<LeanPost[]>();
}

/** The newest `limit` visible posts of the authors as feed entries (id and time only), to rebuild a feed. */
export async function listFeedEntries(
  posts: PostModel,
  q: { authorIds: string[]; limit: number },
): Promise<ListPosition[]> {
  if (q.authorIds.length === 0) return [];
  const found = await posts
    .find({ userId: { $in: q.authorIds }, ...visible }, { _id: 1, createdAt: 1 })
    .sort({ createdAt: -1, _id: -1 })
    .limit(q.limit)
    .lean<Array<Pick<PostDoc, '_id' | 'createdAt'>>>();
  return found.map((p) => ({ t: p.createdAt.getTime(), id: p._id.toHexString() }));
}

/** The visible posts among `ids`, in no particular order; deleted or unknown ones are absent. */
export async function findVisiblePostsByIds(posts: PostModel, ids: string[]): Promise<LeanPost[]> {
  if (ids.length === 0) return [];
  return posts.find({ _id: { $in: ids }, ...visible }, withoutOutbox).lean<LeanPost[]>();
}

/** Home feeds merge this post in at read time instead of holding it (its author is over the threshold). */
export async function markFanOutOnRead(posts: PostModel, postId: string): Promise<void> {
  // Not an edit of the post: updatedAt stays what the author last did.
  await posts.updateOne({ _id: postId }, { $set: { fanout: 'read' } }, { timestamps: false });
}

/** Every author with posts merged into feeds at read time (few: only those over the follower threshold). */
export async function findHotAuthors(posts: PostModel): Promise<string[]> {
  const ids: unknown[] = await posts.distinct('userId', { fanout: 'read' });
  return ids.filter((id): id is string => typeof id === 'string');
}

/** Ids of up to `limit` of the user's visible posts (account deletion works through them in batches). */
export async function findVisiblePostIdsOfUser(
  posts: PostModel,
  userId: string,
  limit: number,
): Promise<string[]> {
  const found = await posts
    .find({ userId, ...visible }, { _id: 1 })
    .limit(limit)
    .lean<Array<Pick<PostDoc, '_id'>>>();
  return found.map((p) => p._id.toHexString());
}
