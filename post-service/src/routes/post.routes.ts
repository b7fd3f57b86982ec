import { Router, type Request } from 'express';
import Joi from 'joi';
import { objectId, pagination, validate, type PageQuery } from '@social/common/http';
import type { AuthUser } from '@social/common/auth';
import { createPost, type CreatePostDeps } from '../domain/create-post';
import { deletePost } from '../domain/delete-post';
import { getPost } from '../domain/get-post';
import { listPosts } from '../domain/list-posts';

export const MAX_MEDIA_PER_POST = 10;

const createPostBody = Joi.object({
  content: Joi.string().trim().min(1).max(5000).required(),
  mediaIds: Joi.array().items(objectId().lowercase()).max(MAX_MEDIA_PER_POST).unique().default([]),
});
const listQuery = Joi.object(pagination(50, 10));
const idParams = Joi.object({ id: objectId().required() });

interface CreatePostBody {
  content: string;
  mediaIds: string[];
}

// requireAuth runs before this router, so a missing user is a wiring bug, not a client error.
function userOf(req: Request): AuthUser {
  if (!req.user) throw new Error('post routes mounted without requireAuth');
  return req.user;
}

export type PostRoutesDeps = CreatePostDeps;

export function postRoutes(deps: PostRoutesDeps): Router {
  const router = Router();

  router.post('/create-post', validate({ body: createPostBody }), async (req, res) => {
    const body = req.body as CreatePostBody;
    const post = await createPost(deps, {
      userId: userOf(req).id,
      content: body.content,
      mediaIds: body.mediaIds,
      correlationId: req.requestId,
    });
    res.status(201).json({ success: true, post });
  });

  router.get('/all-posts', validate({ query: listQuery }), async (_req, res) => {
    const page = await listPosts(deps, res.locals.query as PageQuery);
    res.json({ success: true, ...page });
  });

  router.get('/:id', validate({ params: idParams }), async (_req, res) => {
    const { id } = res.locals.params as { id: string };
    const post = await getPost(deps, { postId: id.toLowerCase() });
    res.json({ success: true, post });
  });

  router.delete('/:id', validate({ params: idParams }), async (req, res) => {
    const { id } = res.locals.params as { id: string };
    await deletePost(deps, {
      postId: id.toLowerCase(),
      userId: userOf(req).id,
      correlationId: req.requestId,
    });
    res.json({ success: true, message: 'Post deleted' });
  });

  return router;
}
