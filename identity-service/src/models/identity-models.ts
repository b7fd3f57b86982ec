import type { Connection } from '@social/common/mongo';
import { createFollowModel, type FollowModel } from './follow.model';
import { createRefreshTokenModel, type RefreshTokenModel } from './refresh-token.model';
import { createUserModel, type UserModel } from './user.model';

export interface IdentityModels {
  users: UserModel;
  refreshTokens: RefreshTokenModel;
  follows: FollowModel;
}

/** Binds the models to `conn` and waits for their indexes: the unique and TTL indexes carry correctness. */
export async function createIdentityModels(conn: Connection): Promise<IdentityModels> {
  const users = createUserModel(conn);
  const refreshTokens = createRefreshTokenModel(conn);
  const follows = createFollowModel(conn);
  await Promise.all([users.init(), refreshTokens.init(), follows.init()]);
  return { users, refreshTokens, follows };
}
