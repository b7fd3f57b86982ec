import type { Express } from 'express';
import { requireAuth, type TokenConfig } from '@social/common/auth';
import { createCursorCodec, createServiceApp, jsonBody } from '@social/common/http';
import type { Logger } from '@social/common/logger';
import type { Metrics } from '@social/common/metrics';
import { mongoErrors } from '@social/common/mongo';
import type { AuthorCache } from './cache/author-cache';
import type { EngagementCache } from './cache/engagement-cache';
import type { FeedStore } from './cache/feed-store';
import type { FollowingCache } from './cache/following-cache';
import type { PostCache } from './cache/post-cache';
import type { MediaClient } from '@social/common/clients';
import type { Outbox } from './events/outbox-relay';
import type { AuthorModel } from './models/author.model';
import type { CommentModel } from './models/comment.model';
import type { FollowEdgeModel } from './models/follow-edge.model';
import type { LikeModel } from './models/like.model';
import type { PostModel } from './models/post.model';
import { engagementRoutes } from './routes/engagement.routes';
import { postRoutes } from './routes/post.routes';

export interface PostAppDeps {
  config: TokenConfig & { JSON_BODY_LIMIT: string; FEED_MAX_FOLLOWING: number };
  log: Logger;
  metrics: Metrics;
  posts: PostModel;
  likes: LikeModel;
  comments: CommentModel;
  cache: PostCache;
  /** Counters and likedByMe, kept apart from the post bodies' cache (they change with every like). */
  engagementCache: EngagementCache;
  outbox: Outbox;
  /** media-service, asked at create time about the attached media. */
  media: MediaClient;
  /** Projections fed by identity's events: post authors and the follow graph. */
  authors: AuthorModel;
  /** Authors as posts show them, remembered in this process for a few seconds. */
  authorCache: AuthorCache;
  follows: FollowEdgeModel;
  /** Home feeds in Redis (fail-soft; MongoDB answers when it cannot). */
  feeds: FeedStore;
  /** Each reader's followees in Redis, kept by the follow consumer. */
  following: FollowingCache;
}

/** The HTTP app only: no listen, no env, no connections (server.ts and tests bring those). */
export function createApp(deps: PostAppDeps): Express {
  // List cursors are signed with a key derived from the JWT secret: no extra secret to manage.
  const cursors = createCursorCodec(deps.config.JWT_SECRET);
  return createServiceApp(
    { log: deps.log, metrics: deps.metrics, errorMappers: [mongoErrors], behindGateway: true },
    (app) => {
      // Authenticate before parsing: an anonymous caller's body is never read.
      app.use(
        '/api/posts',
        requireAuth(deps.config),
        jsonBody(deps.config.JSON_BODY_LIMIT),
        postRoutes({ ...deps, cursors, maxFollowing: deps.config.FEED_MAX_FOLLOWING }),
        engagementRoutes({ ...deps, cursors }),
      );
    },
  );
}
