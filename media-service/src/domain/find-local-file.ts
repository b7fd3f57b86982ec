import { NotFoundError } from '@social/common/http';
import type { LeanMedia, MediaModel } from '../models/media.model';
import type { LocalStorage } from '../storage/local.storage';

export interface LocalFile {
  path: string;
  mimeType: string;
}

/**
 * A locally stored file that has a record: its path and the content type decided at upload. A key that is
 * malformed or unknown is simply not found; the path is only ever built from a validated key.
 */
export async function findLocalFile(
  deps: { media: MediaModel; local: LocalStorage },
  cmd: { key: string },
): Promise<LocalFile> {
  const file = deps.local.pathOf(cmd.key);
  if (!file) throw new NotFoundError('File not found');
  const media = await deps.media
    .findOne({ storage: 'local', key: cmd.key }, { mimeType: 1 })
    .lean<Pick<LeanMedia, 'mimeType'>>();
  if (!media) throw new NotFoundError('File not found');
  return { path: file, mimeType: media.mimeType };
}
