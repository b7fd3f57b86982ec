import { mongoose, type Connection } from '@social/common/mongo';

const { Schema } = mongoose;

/**
 * The public face of a post's author, projected from user.registered / user.updated so reads never call
 * identity-service. `version` is the occurredAt of the event it holds: an older or redelivered event changes
 * nothing. A deleted account leaves a tombstone (`deleted`, version at the end of time) so a late profile or
 * follow event cannot bring it back.
 */
export interface AuthorDoc {
  _id: string;
  username: string;
  displayName: string;
  version: Date;
  deleted: boolean;
}

export type AuthorModel = mongoose.Model<AuthorDoc>;

export interface AuthorDto {
  id: string;
  username: string;
  displayName: string;
}

const authorSchema = new Schema<AuthorDoc>(
  {
    _id: { type: String, required: true },
    username: { type: String, required: true },
    displayName: { type: String, required: true },
    version: { type: Date, required: true },
    deleted: { type: Boolean, default: false },
  },
  { collection: 'authors', versionKey: false },
);

export const createAuthorModel = (conn: Connection): AuthorModel =>
  conn.model<AuthorDoc>('Author', authorSchema);

const isDuplicateKey = (err: unknown): boolean =>
  err instanceof mongoose.mongo.MongoServerError && err.code === 11000;

/** Later than any event's occurredAt: a tombstone outranks every profile event. */
const END_OF_TIME = new Date(8.64e15);

/**
 * Stores the profile as of `version` unless the stored one is as new or newer. True when it changed. As with
 * follow edges, a newer document makes the upsert fall back to an insert that the _id index refuses.
 */
export async function upsertAuthor(
  authors: AuthorModel,
  a: { userId: string; username: string; displayName: string; version: Date },
): Promise<boolean> {
  try {
    const res = await authors.updateOne(
      { _id: a.userId, version: { $lt: a.version } },
      { $set: { username: a.username, displayName: a.displayName, version: a.version, deleted: false } },
      { upsert: true },
    );
    return res.modifiedCount === 1 || res.upsertedCount === 1;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

/**
 * What the access token says about the caller, used only while no profile event has arrived yet (a post written
 * right after registering): the first event replaces it, whatever its time.
 */
export async function seedAuthor(
  authors: AuthorModel,
  a: { userId: string; username: string },
): Promise<void> {
  try {
    await authors.updateOne(
      { _id: a.userId },
      {
        $setOnInsert: {
          username: a.username,
          displayName: a.username,
          version: new Date(0),
          deleted: false,
        },
      },
      { upsert: true },
    );
  } catch (err) {
    if (!isDuplicateKey(err)) throw err; // a concurrent event or seed inserted it first: fine
  }
}

export async function tombstoneAuthor(authors: AuthorModel, userId: string): Promise<void> {
  await authors.updateOne(
    { _id: userId },
    { $set: { username: 'deleted', displayName: 'deleted', version: END_OF_TIME, deleted: true } },
    { upsert: true },
  );
}

export async function isDeletedAuthor(authors: AuthorModel, userId: string): Promise<boolean> {
  return (await authors.exists({ _id: userId, deleted: true })) !== null;
}

/** The live authors among `ids`; a missing or deleted one is simply absent. */
export async function findAuthors(authors: AuthorModel, ids: string[]): Promise<AuthorDto[]> {
  if (ids.length === 0) return [];
  const found = await authors
    .find({ _id: { $in: ids }, deleted: false }, { username: 1, displayName: 1 })
    .lean<Array<Pick<AuthorDoc, '_id' | 'username' | 'displayName'>>>();
  return found.map((a) => ({ id: a._id, username: a.username, displayName: a.displayName }));
}
