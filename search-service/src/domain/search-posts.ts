import { paginate, type PageQuery } from '@social/common/http';
import {
  findPostsByText,
  toSearchHitDto,
  type SearchHitDto,
  type SearchPostModel,
} from '../models/search-post.model';

export interface SearchPostsDeps {
  searchPosts: SearchPostModel;
}

/** One page of posts matching the words of `query` (English stemming, stop words ignored), best first. */
export async function searchPosts(
  deps: SearchPostsDeps,
  cmd: { query: string } & PageQuery,
): Promise<SearchHitDto[]> {
  const { skip } = paginate(cmd);
  const hits = await findPostsByText(deps.searchPosts, { text: cmd.query, skip, limit: cmd.limit });
  return hits.map(toSearchHitDto);
}
