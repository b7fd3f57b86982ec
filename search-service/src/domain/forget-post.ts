import type { SearchDeps } from '../deps';
import { removeSearchPost } from '../models/search-post.model';
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
