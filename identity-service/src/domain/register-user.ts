import { ConflictError } from '@social/common/http';
import { insertUser, toUserDto, type UserDto } from '../models/user.model';
import type { IdentityDomainDeps } from './deps';
import { issueTokens, type IssuedTokens } from './issue-tokens';

export interface RegisterUserCommand {
  username: string;
  email: string;
  password: string;
}

type RegisterDeps = Pick<
  IdentityDomainDeps,
  'config' | 'log' | 'users' | 'refreshTokens' | 'hasher' | 'authMetrics' | 'outbox'
>;

const conflictMessages = {
  email: 'Email is already registered',
  username: 'Username is already taken',
} as const;

export async function registerUser(
  deps: RegisterDeps,
  cmd: RegisterUserCommand & { correlationId?: string },
): Promise<{ user: UserDto } & IssuedTokens> {
  const passwordHash = await deps.hasher.hash(cmd.password);
  // The unique indexes decide, not a prior lookup: two racing registrations get one user and one 409.
  const inserted = await insertUser(deps.users, {
    username: cmd.username,
    email: cmd.email,
    passwordHash,
    correlationId: cmd.correlationId,
  });
  if ('conflict' in inserted) {
    deps.authMetrics.registrations.inc({ outcome: 'conflict' });
    throw new ConflictError(conflictMessages[inserted.conflict]);
  }
  deps.outbox.kick(); // user.registered, stored with the user
  const user = toUserDto(inserted.user);
  const tokens = await issueTokens(deps, user);
  deps.authMetrics.registrations.inc({ outcome: 'created' });
  deps.log.info('user registered', { userId: user.id });
  return { user, ...tokens };
}
