import type { SearchDeps } from './deps';
import { upsertSearchPost, type SearchPostDoc } from '../models/search-post.model';
import { isBuried } from '../models/tombstone.model';
import { forgetPost } from './forget-post';

export type IndexPostOutcome = 'indexed' | 'already-deleted';

/** Makes a new post searchable, unless it was deleted already (a late or redelivered post.created). */
export async function indexPost(
  deps: Pick<SearchDeps, 'searchPosts' | 'tombstones'>,
  post: SearchPostDoc,
): Promise<IndexPostOutcome> {
  if (await isBuried(deps.tombstones, post.postId)) return 'already-deleted';
  await upsertSearchPost(deps.searchPosts, post);
  // With prefetch > 1 a post.deleted can run between the check and the upsert. forgetPost buries before it
  // removes, so looking again after the upsert always sees that tombstone, and the post does not come back.
  if (await isBuried(deps.tombstones, post.postId)) {
    await forgetPost(deps, post.postId);
    return 'already-deleted';
  }
  return 'indexed';
}
