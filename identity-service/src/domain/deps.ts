import type { MediaClient } from '@social/common/clients';
import type { CursorCodec } from '@social/common/http';
import type { Logger } from '@social/common/logger';
import type { IdentityConfig } from '../config';
import type { AuthMetrics } from '../metrics';
import type { FollowModel } from '../models/follow.model';
import type { RefreshTokenModel } from '../models/refresh-token.model';
import type { UserModel } from '../models/user.model';
import type { PasswordHasher } from './password-hasher';

/** Publishes what the outbox holds, now (the relay's interval catches anything a kick misses). */
export interface OutboxKick {
  kick(): void;
}

/** Everything the use cases may touch; each one picks the few it needs. */
export interface IdentityDomainDeps {
  config: Pick<
    IdentityConfig,
    'JWT_SECRET' | 'JWT_ISSUER' | 'JWT_AUDIENCE' | 'JWT_ACCESS_TTL_SECONDS' | 'REFRESH_TOKEN_TTL_SECONDS'
  >;
  log: Logger;
  users: UserModel;
  refreshTokens: RefreshTokenModel;
  follows: FollowModel;
  hasher: PasswordHasher;
  authMetrics: AuthMetrics;
  outbox: OutboxKick;
  media: MediaClient;
  cursors: CursorCodec;
}
