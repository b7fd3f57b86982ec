import { NotFoundError } from '@social/common/http';
import { findOwnedMedia, toMediaDto, type MediaDto, type MediaModel } from '../models/media.model';

/**
 * The owner's own media record. Anyone else gets the same 404 as for an id that does not exist: ids are
 * ObjectIds (close to guessable), so an unposted upload must not be found by id. Readers of a post get its
 * media from the post itself.
 */
export async function getMedia(
  deps: { media: MediaModel },
  cmd: { mediaId: string; userId: string },
): Promise<MediaDto> {
  const media = await findOwnedMedia(deps.media, cmd);
  if (!media) throw new NotFoundError('Media not found');
  return toMediaDto(media);
}
