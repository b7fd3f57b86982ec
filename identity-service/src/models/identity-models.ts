import type { Connection } from '@social/common/mongo';
import { createRefreshTokenModel, type RefreshTokenModel } from './refresh-token.model';
import { createUserModel, type UserModel } from './user.model';

export interface IdentityModels {
  users: UserModel;
  refreshTokens: RefreshTokenModel;
}

/** Binds the models to `conn` and waits for their indexes: the unique and TTL indexes carry correctness. */
export async function createIdentityModels(conn: Connection): Promise<IdentityModels> {
  const users = createUserModel(conn);
  const refreshTokens = createRefreshTokenModel(conn);
  await Promise.all([users.init(), refreshTokens.init()]);
  return { users, refreshTokens };
}
