import { ConflictError } from '@social/common/http';
import { mongoose } from '@social/common/mongo';
import { toUserDto, type UserDto } from '../models/user.model';
import type { IdentityDomainDeps } from './deps';
import { issueTokens, type IssuedTokens } from './issue-tokens';

export interface RegisterUserCommand {
  username: string;
  email: string;
  password: string;
}

type RegisterDeps = Pick<
  IdentityDomainDeps,
  'config' | 'log' | 'users' | 'refreshTokens' | 'hasher' | 'authMetrics'
>;

const isDuplicateKey = (err: unknown): err is mongoose.mongo.MongoServerError =>
  err instanceof mongoose.mongo.MongoServerError && err.code === 11000;

/** Which unique field collided, from the error's keyPattern (the message text is not a contract). */
function conflictFor(err: mongoose.mongo.MongoServerError): ConflictError {
  const fields = Object.keys((err.keyPattern ?? {}) as Record<string, unknown>);
  if (fields.includes('email')) return new ConflictError('Email is already registered');
  if (fields.includes('usernameKey')) return new ConflictError('Username is already taken');
  return new ConflictError('Username or email is already taken');
}

export async function registerUser(
  deps: RegisterDeps,
  cmd: RegisterUserCommand,
): Promise<{ user: UserDto } & IssuedTokens> {
  const passwordHash = await deps.hasher.hash(cmd.password);
  let created;
  try {
    // The unique indexes decide, not a prior lookup: two racing registrations get one user and one 409.
    created = await deps.users.create({
      username: cmd.username,
      usernameKey: cmd.username.toLowerCase(),
      email: cmd.email,
      passwordHash,
    });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    deps.authMetrics.registrations.inc({ outcome: 'conflict' });
    throw conflictFor(err);
  }
  const user = toUserDto(created);
  const tokens = await issueTokens(deps, user);
  deps.authMetrics.registrations.inc({ outcome: 'created' });
  deps.log.info('user registered', { userId: user.id });
  return { user, ...tokens };
}
