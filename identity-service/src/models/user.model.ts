import { mongoose, type Connection } from '@social/common/mongo';

export interface UserDoc {
  _id: mongoose.Types.ObjectId;
  /** As the user typed it, shown to others. */
  username: string;
  /** Lowercased username: uniqueness ignores case, so "Alice" cannot impersonate "alice". */
  usernameKey: string;
  /** Trimmed and lowercased before it gets here. */
  email: string;
  /** argon2id PHC string; never leaves this service. */
  passwordHash: string;
  createdAt: Date;
  updatedAt: Date;
}

const userSchema = new mongoose.Schema<UserDoc>(
  {
    username: { type: String, required: true },
    usernameKey: { type: String, required: true },
    email: { type: String, required: true },
    passwordHash: { type: String, required: true },
  },
  { timestamps: true, collection: 'users' },
);
userSchema.index({ usernameKey: 1 }, { unique: true });
userSchema.index({ email: 1 }, { unique: true });

export type UserModel = mongoose.Model<UserDoc>;

export const createUserModel = (conn: Connection): UserModel => conn.model<UserDoc>('User', userSchema);

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
