import { NotFoundError } from '@social/common/http';
import type { LeanMedia, MediaModel } from '../models/media.model';

/** Any signed-in user may read a media record: readers of a post need its URLs. */
export async function getMedia(deps: { media: MediaModel }, cmd: { mediaId: string }): Promise<LeanMedia> {
  const media = await deps.media.findById(cmd.mediaId).lean<LeanMedia>();
  if (!media) throw new NotFoundError('Media not found');
  return media;
}
