import { EventTypes, newIntegrationEvent, type EventData, type EventType } from '@social/common/events';
import { mongoose, type Connection } from '@social/common/mongo';
import {
  createMongoOutboxStore,
  outboxPlugin,
  withoutOutboxFields,
  type OutboxFields,
  type OutboxStore,
} from '@social/common/outbox';

const { Schema, Types } = mongoose;

export interface UserDoc extends OutboxFields {
  _id: mongoose.Types.ObjectId;
  /** As the user typed it, shown to others. */
  username: string;
  /** Lowercased username: uniqueness ignores case, so "Alice" cannot impersonate "alice". */
  usernameKey: string;
  /** Trimmed and lowercased before it gets here. */
  email: string;
  /** argon2id PHC string; never leaves this service. */
  passwordHash: string;
  displayName: string;
  bio: string;
  /** One of the user's own media, or null. */
  avatarMediaId: string | null;
  /** Counters of the follow graph: they move only when an edge did (see follow.model.ts). */
  followers: number;
  following: number;
  /** Bumped by every profile change: a change applies only to the version its event was computed from. */
  profileVersion: number;
  /** Set when the account is deleted; the relay removes the document once user.deleted is confirmed. */
  deletedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A user record as the data layer hands it out: a plain object, without its outbox. */
export type LeanUser = Omit<UserDoc, keyof OutboxFields>;

const userSchema = new Schema<UserDoc>(
  {
    username: { type: String, required: true },
    usernameKey: { type: String, required: true },
    email: { type: String, required: true },
    passwordHash: { type: String, required: true },
    displayName: { type: String, required: true },
    bio: { type: String, default: '' },
    avatarMediaId: { type: String, default: null },
    followers: { type: Number, default: 0 },
    following: { type: Number, default: 0 },
    profileVersion: { type: Number, default: 0 },
    deletedAt: { type: Date, default: null },
  },
  { timestamps: true, collection: 'users', versionKey: false },
);
userSchema.index({ usernameKey: 1 }, { unique: true });
userSchema.index({ email: 1 }, { unique: true });
// user.* events wait in the user's own document until the broker confirmed them (transactional outbox).
userSchema.plugin(outboxPlugin);

export type UserModel = mongoose.Model<UserDoc>;

export const createUserModel = (conn: Connection): UserModel => conn.model<UserDoc>('User', userSchema);

/** The account as register and `GET /users/me` show it to its owner. */
export interface UserDto {
  id: string;
  username: string;
  email: string;
}

export const toUserDto = (d: Pick<UserDoc, '_id' | 'username' | 'email'>): UserDto => ({
  id: d._id.toHexString(),
  username: d.username,
  email: d.email,
});

/** A profile as anyone signed in sees it; `followedByMe` is added for other users, `email` only for `me`. */
export interface PublicUserDto {
  id: string;
  username: string;
  displayName: string;
  bio: string;
  avatarMediaId: string | null;
  createdAt: string;
  followers: number;
  following: number;
}

export const toPublicUserDto = (d: LeanUser): PublicUserDto => ({
  id: d._id.toHexString(),
  username: d.username,
  // Accounts from before profiles existed read as the defaults they would have had.
  displayName: d.displayName ?? d.username,
  bio: d.bio ?? '',
  avatarMediaId: d.avatarMediaId ?? null,
  createdAt: d.createdAt.toISOString(),
  // Counters never show negative, even if a crash between an edge write and its counter left one behind.
  followers: Math.max(0, d.followers ?? 0),
  following: Math.max(0, d.following ?? 0),
});

/** What other services may know of a user (user.registered/updated): never the email or the bio. */
export const profileEventData = (d: Pick<UserDoc, '_id' | 'username' | 'displayName' | 'avatarMediaId'>) => ({
  userId: d._id.toHexString(),
  username: d.username,
  displayName: d.displayName,
  avatarMediaId: d.avatarMediaId,
});

const userEvent = <T extends EventType>(type: T, data: EventData<T>, correlationId?: string) =>
  newIntegrationEvent(type, data, { correlationId });

const live = { deletedAt: null };
const withoutOutbox = withoutOutboxFields;

/** What a unique index refused: the caller answers 409 for it, without a prior lookup that could race. */
export type UserConflict = 'email' | 'username';

const isDuplicateKey = (err: unknown): err is mongoose.mongo.MongoServerError =>
  err instanceof mongoose.mongo.MongoServerError && err.code === 11000;

/**
 * Inserts a user with its user.registered event in the same write. The unique indexes decide, so of two racing
 * registrations one gets the user and the other the conflict; which field collided comes from the error's
 * keyPattern (the message text is not a contract).
 */
export async function insertUser(
  users: UserModel,
  input: { username: string; email: string; passwordHash: string; correlationId?: string },
): Promise<{ user: LeanUser } | { conflict: UserConflict }> {
  const _id = new Types.ObjectId();
  const createdAt = new Date();
  const profile = { _id, username: input.username, displayName: input.username, avatarMediaId: null };
  const event = userEvent(
    EventTypes.UserRegistered,
    { ...profileEventData(profile), createdAt: createdAt.toISOString() },
    input.correlationId,
  );
  try {
    const doc = await users.create({
      ...profile,
      usernameKey: input.username.toLowerCase(),
      email: input.email,
      passwordHash: input.passwordHash,
      bio: '',
      followers: 0,
      following: 0,
      profileVersion: 0,
      deletedAt: null,
      createdAt,
      updatedAt: createdAt,
      pendingEvents: [event],
    });
    const {
      pendingEvents: _outbox,
      failedEvents: _failed,
      outboxClaim: _claim,
      ...user
    } = doc.toObject<UserDoc>();
    return { user };
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    return { conflict: 'email' in (err.keyPattern ?? {}) ? 'email' : 'username' };
  }
}

export async function findUserByEmail(users: UserModel, email: string): Promise<LeanUser | null> {
  return users.findOne({ email, ...live }, withoutOutbox).lean<LeanUser>();
}

export async function findUserById(users: UserModel, userId: string): Promise<LeanUser | null> {
  return users.findOne({ _id: userId, ...live }, withoutOutbox).lean<LeanUser>();
}

export async function findUserByUsername(users: UserModel, username: string): Promise<LeanUser | null> {
  return users.findOne({ usernameKey: username.toLowerCase(), ...live }, withoutOutbox).lean<LeanUser>();
}

/** Live users among `ids`, in no particular order. */
export async function findUsersByIds(users: UserModel, ids: string[]): Promise<LeanUser[]> {
  if (ids.length === 0) return [];
  return users
    .find({ _id: { $in: ids }, ...live }, withoutOutbox)
    .limit(ids.length)
    .lean<LeanUser[]>();
}

export async function updatePasswordHash(
  users: UserModel,
  userId: string,
  passwordHash: string,
): Promise<void> {
  await users.updateOne({ _id: userId, ...live }, { $set: { passwordHash } });
}

/**
 * Changes profile fields and queues user.updated with the resulting public profile, in one write. The write only
 * applies to the version it was computed from (`profileVersion`), so of two concurrent changes neither event can
 * carry a stale field; a lost race is retried. Null when the user is gone.
 */
export async function updateProfile(
  users: UserModel,
  input: {
    userId: string;
    changes: Partial<Pick<UserDoc, 'displayName' | 'bio' | 'avatarMediaId'>>;
    correlationId?: string;
  },
): Promise<LeanUser | null> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await findUserById(users, input.userId);
    if (!current) return null;
    const event = userEvent(
      EventTypes.UserUpdated,
      profileEventData({ ...current, ...input.changes }),
      input.correlationId,
    );
    const updated = await users
      .findOneAndUpdate(
        // Accounts from before profiles existed have no version yet.
        { _id: input.userId, profileVersion: current.profileVersion ?? { $exists: false }, ...live },
        { $set: input.changes, $inc: { profileVersion: 1 }, $push: { pendingEvents: event } },
        { new: true, projection: withoutOutbox },
      )
      .lean<LeanUser>();
    if (updated) return updated;
  }
  throw new Error('profile kept changing under five consecutive updates');
}

/** Moves a follow counter; `delta` is +1 or -1 and only ever follows an edge that moved. */
export async function incrementFollowCounts(
  users: UserModel,
  change: { followerId: string; followeeId: string; delta: 1 | -1 },
): Promise<void> {
  await Promise.all([
    users.updateOne({ _id: change.followerId }, { $inc: { following: change.delta } }, { timestamps: false }),
    users.updateOne({ _id: change.followeeId }, { $inc: { followers: change.delta } }, { timestamps: false }),
  ]);
}

/**
 * Deletes the account in one write: marks it deleted, queues user.deleted, and frees its email and username
 * at once (they become `deleted:<id>`), so login finds nothing and the name can be registered again. The
 * relay removes the document once user.deleted is confirmed. Null when it was already gone.
 */
export async function markUserDeleted(
  users: UserModel,
  input: { userId: string; correlationId?: string },
): Promise<LeanUser | null> {
  const tombstone = `deleted:${input.userId}`;
  const event = userEvent(EventTypes.UserDeleted, { userId: input.userId }, input.correlationId);
  return users
    .findOneAndUpdate(
      { _id: input.userId, ...live },
      {
        $set: { deletedAt: new Date(), email: tombstone, usernameKey: tombstone, passwordHash: '' },
        $push: { pendingEvents: event },
      },
      { new: true, projection: withoutOutbox },
    )
    .lean<LeanUser>();
}

/** The users' outbox: a confirmed user.deleted finishes its (soft-deleted) account, which then goes for good. */
export const createUserOutboxStore = (users: UserModel): OutboxStore<mongoose.mongo.ObjectId> =>
  createMongoOutboxStore(users, {
    finalizeWhen: (event) =>
      event.type === EventTypes.UserDeleted ? { deletedAt: { $ne: null } } : undefined,
  });
