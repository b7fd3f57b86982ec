import type { CursorCodec, CursorQuery } from '@social/common/http';
import { listVisiblePostsByAuthors, toPostDto, type PostModel } from '../models/post.model';
import type { PostListPage } from './get-feed';
import { presentPosts, type PresentPostsDeps } from './present-posts';

export interface ListUserPostsDeps extends PresentPostsDeps {
  posts: PostModel;
  cursors: CursorCodec;
}

/** One author's posts, newest first, keyset-paginated (a user without posts, or unknown, has an empty list). */
export async function listUserPosts(
  deps: ListUserPostsDeps,
  cmd: { userId: string; viewerId: string } & CursorQuery,
): Promise<PostListPage> {
  const scope = `by-user:${cmd.userId}`;
  const after = cmd.cursor === undefined ? undefined : deps.cursors.decode(scope, cmd.cursor);
  // One more than asked for says whether a next page exists, without a count.
  const found = await listVisiblePostsByAuthors(deps.posts, {
    authorIds: [cmd.userId],
    after,
    limit: cmd.limit + 1,
  });
  const page = found.slice(0, cmd.limit);
  const last = page.at(-1);
  return {
    posts: await presentPosts(deps, page.map(toPostDto), { viewerId: cmd.viewerId }),
    nextCursor:
      found.length > cmd.limit && last
        ? deps.cursors.encode(scope, { t: last.createdAt.getTime(), id: last._id.toHexString() })
        : null,
  };
}
