import type { SearchDeps } from './deps';
import { findPostIdsByUser, removeSearchPost } from '../models/search-post.model';
import { buryPost } from '../models/tombstone.model';

/** Removes a deleted post from search and remembers the deletion; running it twice leaves the same state. */
export async function forgetPost(
  deps: Pick<SearchDeps, 'searchPosts' | 'tombstones'>,
  postId: string,
): Promise<void> {
  // Tombstone first: indexPost re-checks for it after its upsert, which closes the race between the two.
  await buryPost(deps.tombstones, postId, new Date());
  await removeSearchPost(deps.searchPosts, postId);
}

const USER_BATCH = 500;

/**
 * Forgets every post of a deleted account, each tombstoned like a deleted post, so a late post.created of one
 * of them cannot bring it back. Running it twice leaves the same state.
 */
export async function forgetUserPosts(
  deps: Pick<SearchDeps, 'searchPosts' | 'tombstones'>,
  userId: string,
): Promise<number> {
  let forgotten = 0;
  for (;;) {
    const postIds = await findPostIdsByUser(deps.searchPosts, userId, USER_BATCH);
    for (const postId of postIds) await forgetPost(deps, postId);
    forgotten += postIds.length;
    if (postIds.length < USER_BATCH) return forgotten;
  }
}
