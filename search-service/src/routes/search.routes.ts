import { Router } from 'express';
import Joi from 'joi';
import { pagination, validate, type PageQuery } from '@social/common/http';
import { searchPosts, type SearchPostsDeps } from '../domain/search-posts';
import { toSearchHitDto } from '../models/search-post.model';

// Joi.string() refuses arrays (`?query=a&query=b`) and objects; trim runs before the length checks.
const searchPostsQuery = Joi.object({
  query: Joi.string().trim().min(1).max(200).required(),
  ...pagination(50, 10),
});

type SearchPostsQuery = { query: string } & PageQuery;

export function searchRoutes(deps: SearchPostsDeps): Router {
  const router = Router();
  router.get('/posts', validate({ query: searchPostsQuery }), async (_req, res) => {
    const { query, page, limit } = res.locals.query as SearchPostsQuery;
    const hits = await searchPosts(deps, { query, page, limit });
    res.json({ success: true, results: hits.map(toSearchHitDto), page, limit });
  });
  return router;
}
