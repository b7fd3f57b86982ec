import type { Logger } from '@social/common/logger';
import type { SearchEventMetrics } from '../metrics';
import type { SearchPostModel } from '../models/search-post.model';
import type { TombstoneModel } from '../models/tombstone.model';

/** What the post event handlers and the search domain work with; server.ts and tests build it. */
export interface SearchDeps {
  log: Logger;
  searchPosts: SearchPostModel;
  tombstones: TombstoneModel;
  eventMetrics: SearchEventMetrics;
}
