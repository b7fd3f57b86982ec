import { paginate, type PageQuery } from '@social/common/http';
import { listOwnedMedia, toMediaDto, type MediaDto, type MediaModel } from '../models/media.model';

export interface MediaPage {
  media: MediaDto[];
  currentPage: number;
  totalPages: number;
  totalMedia: number;
}

/**
 * The caller's own media, newest first, one bounded page at a time. With `ids`, only those among them: the
 * ids of someone else's media or of none match nothing, exactly like ids that do not exist.
 */
export async function listMedia(
  deps: { media: MediaModel },
  cmd: { userId: string; ids?: string[] } & PageQuery,
): Promise<MediaPage> {
  const { skip } = paginate(cmd);
  const { media, total } = await listOwnedMedia(deps.media, {
    userId: cmd.userId,
    ids: cmd.ids,
    skip,
    limit: cmd.limit,
  });
  return {
    media: media.map(toMediaDto),
    currentPage: cmd.page,
    totalPages: paginate(cmd, total).totalPages,
    totalMedia: total,
  };
}
