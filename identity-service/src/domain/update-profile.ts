import { NotFoundError, ValidationError } from '@social/common/http';
import { toPublicUserDto, toUserDto, updateProfile, type UserDoc } from '../models/user.model';
import type { IdentityDomainDeps } from './deps';
import type { MyProfileDto } from './get-profile';

export interface ProfileChanges {
  displayName?: string;
  bio?: string;
  avatarMediaId?: string | null;
}

/**
 * Changes the caller's profile. An avatar must be one of the caller's own uploads: media-service is asked, as
 * the caller, before anything is written (someone else's media or a missing id is a 400 naming it; media-service
 * being away is a 503, and nothing changes). user.updated goes out with the new public profile.
 */
export async function updateMyProfile(
  deps: Pick<IdentityDomainDeps, 'users' | 'media' | 'outbox' | 'log'>,
  cmd: { userId: string; changes: ProfileChanges; accessToken: string; correlationId?: string },
): Promise<MyProfileDto> {
  const { avatarMediaId } = cmd.changes;
  if (avatarMediaId) {
    const own = await deps.media.findOwnMedia({
      ids: [avatarMediaId],
      accessToken: cmd.accessToken,
      requestId: cmd.correlationId,
    });
    if (own.length === 0) {
      throw new ValidationError('Avatar must be one of your own uploads', [
        { path: 'body.avatarMediaId', reason: `media ${avatarMediaId} does not exist or is not yours` },
      ]);
    }
  }
  const changes: Partial<Pick<UserDoc, 'displayName' | 'bio' | 'avatarMediaId'>> = { ...cmd.changes };
  const user = await updateProfile(deps.users, {
    userId: cmd.userId,
    changes,
    correlationId: cmd.correlationId,
  });
  if (!user) throw new NotFoundError('User not found');
  deps.outbox.kick();
  deps.log.info('profile updated', { fields: Object.keys(cmd.changes) });
  return { ...toPublicUserDto(user), email: toUserDto(user).email };
}
