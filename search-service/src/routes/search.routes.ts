import { Router } from 'express';
import Joi from 'joi';
import { pagination, validate, type PageQuery } from '@social/common/http';
import { searchPosts, type SearchPostsDeps } from '../domain/search-posts';

// Joi.string() refuses arrays (`?query=a&query=b`) and objects; trim runs before the length checks.
const searchInput = validate({
  query: Joi.object<{ query: string } & PageQuery, true>({
    query: Joi.string().trim().min(1).max(200).required(),
    ...pagination(50, 10),
  }),
});

export function searchRoutes(deps: SearchPostsDeps): Router {
  const router = Router();
  router.get('/posts', searchInput, async (_req, res) => {
    const { query, page, limit } = searchInput.input(res).query;
    const results = await searchPosts(deps, { query, page, limit });
    res.json({ success: true, results, page, limit });
  });
  return router;
}
