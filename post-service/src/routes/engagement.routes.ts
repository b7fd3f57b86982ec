import { Router } from 'express';
import Joi from 'joi';
import { userOf } from '@social/common/auth';
import type { Logger } from '@social/common/logger';
import {
  cursorPagination,
  objectId,
  userText,
  validate,
  type CursorCodec,
  type CursorQuery,
} from '@social/common/http';
import { addComment, listComments, removeComment } from '../domain/comments';
import type { EngagementDeps } from '../domain/engagement';
import { likePost, unlikePost } from '../domain/like-post';
import { COMMENT_CONTENT_MAX_LENGTH } from '../models/comment.model';

const postId = () => objectId().lowercase().required();

const postIdInput = validate({ params: Joi.object<{ id: string }, true>({ id: postId() }) });
const addCommentInput = validate({
  params: Joi.object<{ id: string }, true>({ id: postId() }),
  body: Joi.object<{ content: string }, true>({
    content: userText({ max: COMMENT_CONTENT_MAX_LENGTH, multiline: true }).required(),
  }),
});
const listCommentsInput = validate({
  params: Joi.object<{ id: string }, true>({ id: postId() }),
  query: Joi.object<CursorQuery, true>(cursorPagination()),
});
const commentIdInput = validate({
  params: Joi.object<{ id: string; commentId: string }, true>({ id: postId(), commentId: postId() }),
});

export interface EngagementRoutesDeps extends EngagementDeps {
  log: Logger;
  cursors: CursorCodec;
}

/** `/api/posts/:id/like` and `/api/posts/:id/comments`, behind requireAuth and the JSON body parser. */
export function engagementRoutes(deps: EngagementRoutesDeps): Router {
  const router = Router();

  router.put('/:id/like', postIdInput, async (req, res) => {
    const state = await likePost(deps, { postId: postIdInput.input(res).params.id, userId: userOf(req).id });
    res.json({ success: true, ...state });
  });

  router.delete('/:id/like', postIdInput, async (req, res) => {
    const state = await unlikePost(deps, {
      postId: postIdInput.input(res).params.id,
      userId: userOf(req).id,
    });
    res.json({ success: true, ...state });
  });

  router.post('/:id/comments', addCommentInput, async (req, res) => {
    const { params, body } = addCommentInput.input(res);
    const comment = await addComment(deps, {
      postId: params.id,
      userId: userOf(req).id,
      content: body.content,
    });
    res.status(201).json({ success: true, comment });
  });

  router.get('/:id/comments', listCommentsInput, async (_req, res) => {
    const { params, query } = listCommentsInput.input(res);
    res.json({ success: true, ...(await listComments(deps, { postId: params.id, ...query })) });
  });

  router.delete('/:id/comments/:commentId', commentIdInput, async (req, res) => {
    const { id, commentId } = commentIdInput.input(res).params;
    await removeComment(deps, { postId: id, commentId, userId: userOf(req).id });
    res.json({ success: true, message: 'Comment deleted' });
  });

  return router;
}
