import { EventTypes, type Subscription } from '@social/common/events';
import type { IdentityDomainDeps } from '../domain/deps';
import { handleUserDeleted } from './user-deleted.handler';

/** Everything identity-service listens to: its own user.deleted, to finish an account's cleanup for sure. */
export const userEvents = (
  deps: Pick<IdentityDomainDeps, 'users' | 'follows' | 'refreshTokens'>,
  opts: { queue: string },
): Subscription => ({
  queue: opts.queue,
  handlers: { [EventTypes.UserDeleted]: handleUserDeleted(deps) },
});
