import { mongoose, type Connection } from '@social/common/mongo';

/**
 * One issued refresh token. The token itself is never stored: only its SHA-256, so a database leak yields
 * nothing a client could present. Tokens issued from one login share a `familyId`; each rotation revokes the
 * presented token and records its successor in `replacedBy`.
 */
export interface RefreshTokenDoc {
  _id: mongoose.Types.ObjectId;
  hash: string;
  userId: mongoose.Types.ObjectId;
  familyId: string;
  expiresAt: Date;
  revokedAt: Date | null;
  /** Hash of the token that replaced this one; set only by a rotation, so its presence means "already used". */
  replacedBy: string | null;
  createdAt: Date;
}

const refreshTokenSchema = new mongoose.Schema<RefreshTokenDoc>(
  {
    hash: { type: String, required: true },
    userId: { type: mongoose.Schema.Types.ObjectId, required: true },
    familyId: { type: String, required: true },
    expiresAt: { type: Date, required: true },
    revokedAt: { type: Date, default: null },
    replacedBy: { type: String, default: null },
  },
  { timestamps: { createdAt: true, updatedAt: false }, collection: 'refresh_tokens' },
);
refreshTokenSchema.index({ hash: 1 }, { unique: true });
refreshTokenSchema.index({ familyId: 1 });
// MongoDB removes expired tokens itself; validity checks still compare expiresAt, since the TTL monitor lags.
refreshTokenSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

export type RefreshTokenModel = mongoose.Model<RefreshTokenDoc>;

export const createRefreshTokenModel = (conn: Connection): RefreshTokenModel =>
  conn.model<RefreshTokenDoc>('RefreshToken', refreshTokenSchema);

/** A refresh-token record as the data layer hands it out: a plain object. */
export type LeanRefreshToken = RefreshTokenDoc;

export async function insertRefreshToken(
  tokens: RefreshTokenModel,
  input: { hash: string; userId: string; familyId: string; expiresAt: Date },
): Promise<void> {
  await tokens.create({ ...input, userId: new mongoose.Types.ObjectId(input.userId) });
}

export async function findRefreshToken(
  tokens: RefreshTokenModel,
  hash: string,
): Promise<LeanRefreshToken | null> {
  return tokens.findOne({ hash }).lean<LeanRefreshToken>();
}

/**
 * The one atomic step of a rotation: the token is marked used (revoked, with its successor) only if it is still
 * live at `now`. Of two concurrent rotations exactly one gets the record back; the other gets null.
 */
export async function markRotated(
  tokens: RefreshTokenModel,
  update: { hash: string; now: Date; successorHash: string },
): Promise<LeanRefreshToken | null> {
  return tokens
    .findOneAndUpdate(
      { hash: update.hash, revokedAt: null, expiresAt: { $gt: update.now } },
      { $set: { revokedAt: update.now, replacedBy: update.successorHash } },
    )
    .lean<LeanRefreshToken>();
}

export async function deleteRefreshToken(tokens: RefreshTokenModel, hash: string): Promise<void> {
  await tokens.deleteOne({ hash });
}

/** Revokes every still-live token of a family; returns how many it revoked. */
export async function revokeFamily(tokens: RefreshTokenModel, familyId: string): Promise<number> {
  const { modifiedCount } = await tokens.updateMany(
    { familyId, revokedAt: null },
    { $set: { revokedAt: new Date() } },
  );
  return modifiedCount;
}

/** Every refresh token of a user (account deletion): no session can be renewed any more. */
export async function deleteRefreshTokensOf(tokens: RefreshTokenModel, userId: string): Promise<void> {
  await tokens.deleteMany({ userId: new mongoose.Types.ObjectId(userId) });
}
