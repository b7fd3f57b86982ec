import { Schema, type Connection, type Model } from 'mongoose';

/** One searchable post, keyed by the post-service id; written only by the post event handlers. */
export interface SearchPostDoc {
  postId: string;
  userId: string;
  content: string;
  createdAt: Date;
}

export type SearchPostModel = Model<SearchPostDoc>;

export interface SearchHit extends SearchPostDoc {
  score: number;
}

export interface SearchHitDto {
  postId: string;
  userId: string;
  content: string;
  createdAt: string;
  score: number;
}

const searchPostSchema = new Schema<SearchPostDoc>(
  {
    postId: { type: String, required: true, unique: true },
    userId: { type: String, required: true },
    content: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { collection: 'search_posts', versionKey: false },
);
// English stemming and stop words, so "running" finds "run". No document field is named `language`,
// so nothing overrides the index language per document.
searchPostSchema.index({ content: 'text' }, { name: 'content_text', default_language: 'english' });

export const createSearchPostModel = (conn: Connection): SearchPostModel =>
  conn.model<SearchPostDoc>('SearchPost', searchPostSchema);

export const toSearchHitDto = (hit: SearchHit): SearchHitDto => ({
  postId: hit.postId,
  userId: hit.userId,
  content: hit.content,
  createdAt: hit.createdAt.toISOString(),
  score: hit.score,
});

/** Idempotent: the same post.created applied twice leaves one document with the same fields. */
export async function upsertSearchPost(model: SearchPostModel, post: SearchPostDoc): Promise<void> {
  const { postId, userId, content, createdAt } = post;
  await model.updateOne({ postId }, { $set: { userId, content, createdAt } }, { upsert: true });
}

export async function removeSearchPost(model: SearchPostModel, postId: string): Promise<void> {
  await model.deleteOne({ postId });
}

/** Best text matches first, newest first among equal scores; postId breaks the last ties so pages never overlap. */
export async function findPostsByText(
  model: SearchPostModel,
  q: { text: string; skip: number; limit: number },
): Promise<SearchHit[]> {
  return model
    .find<SearchHit>(
      { $text: { $search: q.text } },
      { _id: 0, postId: 1, userId: 1, content: 1, createdAt: 1, score: { $meta: 'textScore' } },
    )
    .sort({ score: { $meta: 'textScore' }, createdAt: -1, postId: -1 })
    .skip(q.skip)
    .limit(q.limit)
    .lean<SearchHit[]>();
}

/** Up to `limit` ids of one author's indexed posts (a deleted account's posts are forgotten in batches). */
export async function findPostIdsByUser(
  model: SearchPostModel,
  userId: string,
  limit: number,
): Promise<string[]> {
  const docs = await model
    .find({ userId }, { postId: 1 })
    .limit(limit)
    .lean<Pick<SearchPostDoc, 'postId'>[]>();
  return docs.map((d) => d.postId);
}
