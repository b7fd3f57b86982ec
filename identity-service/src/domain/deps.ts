import type { Logger } from '@social/common/logger';
import type { AuthMetrics } from '../auth-metrics';
import type { IdentityConfig } from '../config';
import type { RefreshTokenModel } from '../models/refresh-token.model';
import type { UserModel } from '../models/user.model';
import type { PasswordHasher } from './password-hasher';

/** Everything the use cases may touch; each one picks the few it needs. */
export interface IdentityDomainDeps {
  config: Pick<
    IdentityConfig,
    'JWT_SECRET' | 'JWT_ISSUER' | 'JWT_AUDIENCE' | 'JWT_ACCESS_TTL_SECONDS' | 'REFRESH_TOKEN_TTL_SECONDS'
  >;
  log: Logger;
  users: UserModel;
  refreshTokens: RefreshTokenModel;
  hasher: PasswordHasher;
  authMetrics: AuthMetrics;
}
