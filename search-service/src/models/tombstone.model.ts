import { Schema, type Connection, type Model } from 'mongoose';

/** Remembers a deleted post for a while, so a late or redelivered post.created does not resurrect it. */
export interface TombstoneDoc {
  postId: string;
  deletedAt: Date;
}

export type TombstoneModel = Model<TombstoneDoc>;

export function createTombstoneModel(conn: Connection, opts: { ttlSeconds: number }): TombstoneModel {
  const schema = new Schema<TombstoneDoc>(
    {
      postId: { type: String, required: true, unique: true },
      deletedAt: { type: Date, required: true },
    },
    { collection: 'search_tombstones', versionKey: false },
  );
  // Changing the TTL later needs a collMod (or dropping this index): createIndexes refuses a changed option.
  schema.index({ deletedAt: 1 }, { name: 'deletedAt_ttl', expireAfterSeconds: opts.ttlSeconds });
  return conn.model<TombstoneDoc>('SearchTombstone', schema);
}

/** Idempotent: a redelivered post.deleted keeps the first deletion time, so the TTL is not extended. */
export async function buryPost(model: TombstoneModel, postId: string, deletedAt: Date): Promise<void> {
  await model.updateOne({ postId }, { $setOnInsert: { deletedAt } }, { upsert: true });
}

export async function isBuried(model: TombstoneModel, postId: string): Promise<boolean> {
  return (await model.exists({ postId })) !== null;
}
