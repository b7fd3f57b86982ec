import type { Logger } from '@social/common/logger';
import {
  deleteOwnedMedia,
  findMediaOfUser,
  findOwnedMediaByIds,
  type LeanMedia,
  type MediaModel,
} from '../models/media.model';
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
  const owned = await findOwnedMediaByIds(deps.media, { userId: cmd.userId, ids: cmd.mediaIds });
  await removeMedia(deps, owned);
  const skipped = cmd.mediaIds.length - owned.length;
  deps.log.info('post media deleted', { postId: cmd.postId, deleted: owned.length, skipped });
  deps.onDeleted?.(owned.length);
  return owned.length;
}

/** Storage first, then the record: a failure in between is retried and never leaves a file without a record. */
async function removeMedia(
  deps: Pick<DeletePostMediaDeps, 'media' | 'storages'>,
  records: LeanMedia[],
): Promise<void> {
  for (const media of records) {
    const storage = deps.storages.byName[media.storage];
    if (!storage) throw new Error(`storage driver "${media.storage}" is not configured`);
    await storage.remove({ key: media.key, kind: media.kind });
    await deleteOwnedMedia(deps.media, { mediaId: media._id, userId: media.userId });
  }
}

const USER_BATCH = 100;

/** Deletes every media of a deleted account, from storage and MongoDB. Running it again finds nothing left. */
export async function deleteUserMedia(deps: DeletePostMediaDeps, cmd: { userId: string }): Promise<number> {
  let deleted = 0;
  for (;;) {
    const batch = await findMediaOfUser(deps.media, cmd.userId, USER_BATCH);
    await removeMedia(deps, batch);
    deleted += batch.length;
    if (batch.length < USER_BATCH) break;
  }
  deps.log.info("deleted account's media removed", { userId: cmd.userId, deleted });
  deps.onDeleted?.(deleted);
  return deleted;
}
