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
