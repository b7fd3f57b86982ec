import { NotFoundError, type CursorQuery } from '@social/common/http';
import { followedAmong, listFollowEdges } from '../models/follow.model';
import { findUserById, findUsersByIds, toPublicUserDto } from '../models/user.model';
import type { IdentityDomainDeps } from './deps';
import type { OtherProfileDto } from './get-profile';

export type FollowSide = 'followers' | 'following';

export interface UserPage {
  users: OtherProfileDto[];
  nextCursor: string | null;
}

/**
 * One page of a user's followers or followees, newest edge first, each with `followedByMe` for the viewer. The
 * cursor is bound to this list (`<side>:<userId>`): one from another list is refused.
 */
export async function listFollows(
  deps: Pick<IdentityDomainDeps, 'users' | 'follows' | 'cursors'>,
  cmd: { userId: string; side: FollowSide; viewerId: string } & CursorQuery,
): Promise<UserPage> {
  const scope = `${cmd.side}:${cmd.userId}`;
  const after = cmd.cursor === undefined ? undefined : deps.cursors.decode(scope, cmd.cursor);
  if (!(await findUserById(deps.users, cmd.userId))) throw new NotFoundError('User not found');
  // One more than asked for says whether a next page exists, without a count.
  const edges = await listFollowEdges(deps.follows, {
    userId: cmd.userId,
    side: cmd.side,
    after,
    limit: cmd.limit + 1,
  });
  const page = edges.slice(0, cmd.limit);
  const otherIds = page.map((e) => (cmd.side === 'followers' ? e.followerId : e.followeeId));
  const [people, followed] = await Promise.all([
    findUsersByIds(deps.users, otherIds),
    followedAmong(deps.follows, { followerId: cmd.viewerId, candidateIds: otherIds }),
  ]);
  const byId = new Map(people.map((u) => [u._id.toHexString(), u]));
  // An account deleted a moment ago may still have an edge; it is simply not listed.
  const users = otherIds.flatMap((id) => {
    const user = byId.get(id);
    if (!user) return [];
    return [
      id === cmd.viewerId
        ? toPublicUserDto(user)
        : { ...toPublicUserDto(user), followedByMe: followed.has(id) },
    ];
  });
  const last = page.at(-1);
  const nextCursor =
    edges.length > cmd.limit && last
      ? deps.cursors.encode(scope, { t: last.since.getTime(), id: last._id.toHexString() })
      : null;
  return { users, nextCursor };
}
