import { Router } from 'express';
import Joi from 'joi';
import { userOf } from '@social/common/auth';
import { MAX_MEDIA_PER_POST } from '@social/common/events';
import { objectId, pagination, validate, type PageQuery } from '@social/common/http';
import { getMedia } from '../domain/get-media';
import { listMedia } from '../domain/list-media';
import { uploadMedia, type UploadMediaDeps } from '../domain/upload-media';
import type { MediaModel } from '../models/media.model';
import { singleFileUpload } from './upload.middleware';

export interface MediaRoutesDeps extends UploadMediaDeps {
  media: MediaModel;
  maxUploadBytes: number;
}

/** One lookup answers a whole post's media in one request: one parameter, 1-10 comma-separated ids. */
const idList = Joi.string()
  .pattern(new RegExp(`^[0-9a-f]{24}(?:,[0-9a-f]{24}){0,${MAX_MEDIA_PER_POST - 1}}$`, 'i'))
  .messages({
    'string.pattern.base': `{#label} must be 1-${MAX_MEDIA_PER_POST} comma-separated 24-character hex ids`,
  });
const listInput = validate({
  query: Joi.object<PageQuery & { ids?: string }, true>({ ...pagination(50, 10), ids: idList }),
});
const mediaIdInput = validate({
  params: Joi.object<{ id: string }, true>({ id: objectId().lowercase().required() }),
});

export function mediaRoutes(deps: MediaRoutesDeps): Router {
  const router = Router();

  router.post('/upload', singleFileUpload(deps.maxUploadBytes), async (req, res) => {
    const uploaded = await uploadMedia(deps, { userId: userOf(req).id, file: req.file });
    res.status(201).json({ success: true, ...uploaded });
  });

  router.get('/', listInput, async (req, res) => {
    const { query } = listInput.input(res);
    // Repeats in `ids` ask once: the answer lists each media once.
    const ids = query.ids === undefined ? undefined : [...new Set(query.ids.toLowerCase().split(','))];
    const page = await listMedia(deps, { userId: userOf(req).id, ...query, ids });
    res.json({ success: true, ...page });
  });

  router.get('/:id', mediaIdInput, async (req, res) => {
    const media = await getMedia(deps, {
      mediaId: mediaIdInput.input(res).params.id,
      userId: userOf(req).id,
    });
    res.json({ success: true, media });
  });

  return router;
}
