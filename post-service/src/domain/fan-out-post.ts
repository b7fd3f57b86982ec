import type { Logger } from '@social/common/logger';
import type { FeedStore } from '../cache/feed-store';
import { followersOf, type FollowEdgeModel } from '../models/follow-edge.model';
import { markFanOutOnRead, type PostModel } from '../models/post.model';

export interface FanOutPostDeps {
  posts: PostModel;
  follows: FollowEdgeModel;
  feeds: FeedStore;
  log: Logger;
  /** Authors with at least this many followers are merged at read time instead (FEED_FANOUT_READ_THRESHOLD). */
  fanOutReadThreshold: number;
}

/**
 * Puts a new post into its followers' home feeds (fan-out on write), or, for an author with very many
 * followers, records on the post that feeds merge it in at read time: one write instead of thousands, at the
 * price of one indexed query per feed read. The author's own feed always gets it. Idempotent: a redelivery adds
 * the same member with the same score.
 */
export async function fanOutPost(
  deps: FanOutPostDeps,
  post: { postId: string; userId: string; createdAt: string },
): Promise<'write' | 'read'> {
  const entry = { t: Date.parse(post.createdAt), id: post.postId };
  // An author already listed as hot skips loading thousands of follower ids only to count them. Listed stays
  // listed: below the threshold again, their posts are still merged at read time, which is only slower.
  const knownHot = await deps.feeds.isHotAuthor(post.userId);
  // Asking for threshold followers is enough to know whether there are at least that many.
  const followers = knownHot ? [] : await followersOf(deps.follows, post.userId, deps.fanOutReadThreshold);
  if (knownHot || followers.length >= deps.fanOutReadThreshold) {
    // Listed before the post is marked: a read that sees the mark also knows to look for it.
    await deps.feeds.addHotAuthor(post.userId);
    await markFanOutOnRead(deps.posts, post.postId);
    await deps.feeds.fanOut(entry, [post.userId]);
    deps.log.info('post merged into feeds at read time', {
      postId: post.postId,
      knownHot,
    });
    return 'read';
  }
  await deps.feeds.fanOut(entry, [post.userId, ...followers]);
  deps.log.debug('post fanned out', { postId: post.postId, followers: followers.length });
  return 'write';
}
