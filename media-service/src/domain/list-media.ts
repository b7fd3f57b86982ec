import { paginate, type PageQuery } from '@social/common/http';
import type { LeanMedia, MediaModel } from '../models/media.model';

export interface MediaPage {
  media: LeanMedia[];
  currentPage: number;
  totalPages: number;
  totalMedia: number;
}

/** The caller's own media, newest first, one bounded page at a time. */
export async function listMedia(
  deps: { media: MediaModel },
  cmd: { userId: string } & PageQuery,
): Promise<MediaPage> {
  const filter = { userId: cmd.userId };
  const { skip } = paginate(cmd);
  const [media, totalMedia] = await Promise.all([
    deps.media.find(filter).sort({ createdAt: -1, _id: -1 }).skip(skip).limit(cmd.limit).lean<LeanMedia[]>(),
    deps.media.countDocuments(filter),
  ]);
  return { media, currentPage: cmd.page, totalPages: paginate(cmd, totalMedia).totalPages, totalMedia };
}
