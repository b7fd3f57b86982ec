import { Router, type Request } from 'express';
import Joi from 'joi';
import { bearerToken, userOf } from '@social/common/auth';
import { MAX_MEDIA_PER_POST, POST_CONTENT_MAX_LENGTH } from '@social/common/events';
import {
  cursorPagination,
  objectId,
  pagination,
  userText,
  validate,
  type CursorQuery,
  type PageQuery,
} from '@social/common/http';
import { createPost, type CreatePostDeps } from '../domain/create-post';
import { deletePost } from '../domain/delete-post';
import { getFeed, type GetFeedDeps } from '../domain/get-feed';
import { getPost } from '../domain/get-post';
import { listPosts } from '../domain/list-posts';
import { listUserPosts } from '../domain/list-user-posts';
import { presentNewPost, presentPosts } from '../domain/present-posts';

const createPostInput = validate({
  body: Joi.object<{ content: string; mediaIds: string[] }, true>({
    content: userText({ max: POST_CONTENT_MAX_LENGTH, multiline: true }).required(),
    mediaIds: Joi.array().items(objectId().lowercase()).max(MAX_MEDIA_PER_POST).unique().default([]),
  }),
});
const listInput = validate({ query: Joi.object<PageQuery, true>(pagination(50, 10)) });
const feedInput = validate({ query: Joi.object<CursorQuery, true>(cursorPagination()) });
const byUserInput = validate({
  params: Joi.object<{ userId: string }, true>({ userId: objectId().lowercase().required() }),
  query: Joi.object<CursorQuery, true>(cursorPagination()),
});
const postIdInput = validate({
  params: Joi.object<{ id: string }, true>({ id: objectId().lowercase().required() }),
});

// The verified token itself: create-post asks media-service about the attached media as the author.
function accessTokenOf(req: Request): string {
  const token = bearerToken(req.headers.authorization);
  if (!token) throw new Error('post routes mounted without requireAuth');
  return token;
}

export type PostRoutesDeps = CreatePostDeps & GetFeedDeps;

export function postRoutes(deps: PostRoutesDeps): Router {
  const router = Router();

  router.post('/create-post', createPostInput, async (req, res) => {
    const { body } = createPostInput.input(res);
    const post = await createPost(deps, {
      userId: userOf(req).id,
      username: userOf(req).username,
      content: body.content,
      mediaIds: body.mediaIds,
      accessToken: accessTokenOf(req),
      correlationId: req.requestId,
    });
    res.status(201).json({ success: true, post: await presentNewPost(deps, post) });
  });

  router.get('/all-posts', listInput, async (req, res) => {
    const page = await listPosts(deps, listInput.input(res).query);
    const posts = await presentPosts(deps, page.posts, { viewerId: userOf(req).id });
    res.json({ success: true, ...page, posts });
  });

  // Before /:id, which would otherwise take "feed" and "by-user" for ids (and answer 400).
  router.get('/feed', feedInput, async (req, res) => {
    const page = await getFeed(deps, { userId: userOf(req).id, ...feedInput.input(res).query });
    res.json({ success: true, ...page });
  });

  router.get('/by-user/:userId', byUserInput, async (req, res) => {
    const { params, query } = byUserInput.input(res);
    const page = await listUserPosts(deps, { userId: params.userId, viewerId: userOf(req).id, ...query });
    res.json({ success: true, ...page });
  });

  router.get('/:id', postIdInput, async (req, res) => {
    const post = await getPost(deps, { postId: postIdInput.input(res).params.id });
    const [view] = await presentPosts(deps, [post], { viewerId: userOf(req).id });
    res.json({ success: true, post: view });
  });

  router.delete('/:id', postIdInput, async (req, res) => {
    await deletePost(deps, {
      postId: postIdInput.input(res).params.id,
      userId: userOf(req).id,
      correlationId: req.requestId,
    });
    res.json({ success: true, message: 'Post deleted' });
  });

  return router;
}
