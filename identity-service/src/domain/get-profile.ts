import { NotFoundError } from '@social/common/http';
import { followedAmong } from '../models/follow.model';
import {
  findUserById,
  findUserByUsername,
  toPublicUserDto,
  toUserDto,
  type LeanUser,
  type PublicUserDto,
} from '../models/user.model';
import type { IdentityDomainDeps } from './deps';

type ProfileDeps = Pick<IdentityDomainDeps, 'users' | 'follows'>;

export type MyProfileDto = PublicUserDto & { email: string };
export type OtherProfileDto = PublicUserDto & { followedByMe?: boolean };

const notFound = (): NotFoundError => new NotFoundError('User not found');

/** The caller's own profile: the only view with the email. */
export async function getMyProfile(
  deps: Pick<ProfileDeps, 'users'>,
  cmd: { userId: string },
): Promise<MyProfileDto> {
  const user = await findUserById(deps.users, cmd.userId);
  // A deleted account's access token lives on until it expires; its profile is gone at once.
  if (!user) throw notFound();
  return { ...toPublicUserDto(user), email: toUserDto(user).email };
}

/** Someone's profile as the viewer sees it: with `followedByMe` unless it is the viewer's own. */
export async function viewProfile(
  deps: ProfileDeps,
  user: LeanUser,
  viewerId: string,
): Promise<OtherProfileDto> {
  const id = user._id.toHexString();
  if (id === viewerId) return toPublicUserDto(user);
  const followed = await followedAmong(deps.follows, { followerId: viewerId, candidateIds: [id] });
  return { ...toPublicUserDto(user), followedByMe: followed.has(id) };
}

export async function getProfile(
  deps: ProfileDeps,
  cmd: { userId: string; viewerId: string },
): Promise<OtherProfileDto> {
  const user = await findUserById(deps.users, cmd.userId);
  if (!user) throw notFound();
  return viewProfile(deps, user, cmd.viewerId);
}

export async function getProfileByUsername(
  deps: ProfileDeps,
  cmd: { username: string; viewerId: string },
): Promise<OtherProfileDto> {
  const user = await findUserByUsername(deps.users, cmd.username);
  if (!user) throw notFound();
  return viewProfile(deps, user, cmd.viewerId);
}
