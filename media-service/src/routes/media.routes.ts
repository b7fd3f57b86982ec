import { Router, type Request } from 'express';
import Joi from 'joi';
import { objectId, pagination, UnauthorizedError, validate, type PageQuery } from '@social/common/http';
import type { AuthUser } from '@social/common/auth';
import { getMedia } from '../domain/get-media';
import { listMedia } from '../domain/list-media';
import { uploadMedia, type UploadMediaDeps } from '../domain/upload-media';
import { toMediaDto, type MediaModel } from '../models/media.model';
import { singleFileUpload } from './upload.middleware';

export interface MediaRoutesDeps extends UploadMediaDeps {
  media: MediaModel;
  maxUploadBytes: number;
}

const listQuery = Joi.object(pagination(50, 10));
const idParams = Joi.object({ id: objectId().required() });

/** requireAuth runs before this router; a missing user here is a wiring bug, still answered as 401. */
const userOf = (req: Request): AuthUser => {
  if (!req.user) throw new UnauthorizedError();
  return req.user;
};

export function mediaRoutes(deps: MediaRoutesDeps): Router {
  const router = Router();

  router.post('/upload', singleFileUpload(deps.maxUploadBytes), async (req, res) => {
    const media = await uploadMedia(deps, { userId: userOf(req).id, file: req.file });
    res.status(201).json({
      success: true,
      mediaId: media._id.toHexString(),
      url: media.url,
      mimeType: media.mimeType,
      size: media.size,
    });
  });

  router.get('/', validate({ query: listQuery }), async (req, res) => {
    const query = res.locals.query as PageQuery;
    const page = await listMedia(deps, { userId: userOf(req).id, ...query });
    res.json({ success: true, ...page, media: page.media.map(toMediaDto) });
  });

  router.get('/:id', validate({ params: idParams }), async (_req, res) => {
    const { id } = res.locals.params as { id: string };
    const media = await getMedia(deps, { mediaId: id });
    res.json({ success: true, media: toMediaDto(media) });
  });

  return router;
}
