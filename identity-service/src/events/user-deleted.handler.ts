import type { IntegrationEventHandler, UserDeletedEvent } from '@social/common/events';
import { dropFollowEdges } from '../domain/delete-account';
import type { IdentityDomainDeps } from '../domain/deps';
import { deleteRefreshTokensOf } from '../models/refresh-token.model';

/**
 * The account's own cleanup, again: the delete request already did it, but a crash half-way through it must
 * not leave edges (and counters) behind. Running it any number of times leaves the same state.
 */
export const handleUserDeleted =
  (
    deps: Pick<IdentityDomainDeps, 'users' | 'follows' | 'refreshTokens'>,
  ): IntegrationEventHandler<UserDeletedEvent> =>
  async ({ data }) => {
    await deleteRefreshTokensOf(deps.refreshTokens, data.userId);
    await dropFollowEdges(deps, data.userId);
  };
