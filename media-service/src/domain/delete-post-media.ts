import type { Logger } from '@social/common/logger';
import type { LeanMedia, MediaModel } from '../models/media.model';
import type { MediaStorages } from '../storage/media-storage';

export interface DeletePostMediaDeps {
  media: MediaModel;
  storages: MediaStorages;
  log: Logger;
  onDeleted?: (count: number) => void;
}

/**
 * Deletes the post's media that belong to the post's author: an id of someone else's media in the event
 * matches nothing. Storage first, then the record, so a failure in between is retried and never leaves a
 * file without a record. Running it again finds nothing left to do.
 */
export async function deletePostMedia(
  deps: DeletePostMediaDeps,
  cmd: { postId: string; userId: string; mediaIds: string[] },
): Promise<number> {
  if (cmd.mediaIds.length === 0) return 0;
  const owned = await deps.media
    .find({ _id: { $in: cmd.mediaIds }, userId: cmd.userId })
    .limit(cmd.mediaIds.length)
    .lean<LeanMedia[]>();
  for (const media of owned) {
    const storage = deps.storages.byName[media.storage];
    if (!storage) throw new Error(`storage driver "${media.storage}" is not configured`);
    await storage.remove({ key: media.key, kind: media.kind });
    await deps.media.deleteOne({ _id: media._id, userId: cmd.userId });
  }
  const skipped = cmd.mediaIds.length - owned.length;
  deps.log.info('post media deleted', { postId: cmd.postId, deleted: owned.length, skipped });
  deps.onDeleted?.(owned.length);
  return owned.length;
}
