import { NotFoundError } from '@social/common/http';
import { findLocalMimeType, type MediaModel } from '../models/media.model';
import type { LocalStorage } from '../storage/local.storage';

export interface LocalFile {
  /** The storage folder; whatever its own path looks like (e.g. `media-service/.media`), it is trusted. */
  root: string;
  /** The file's name inside `root`: a validated key, never a path. */
  key: string;
  mimeType: string;
}

/**
 * A locally stored file that has a record: where it is and the content type decided at upload. A key that is
 * malformed or unknown is simply not found; only a validated key ever reaches the file system.
 */
export async function findLocalFile(
  deps: { media: MediaModel; local: LocalStorage },
  cmd: { key: string },
): Promise<LocalFile> {
  if (!deps.local.pathOf(cmd.key)) throw new NotFoundError('File not found');
  const mimeType = await findLocalMimeType(deps.media, cmd.key);
  if (!mimeType) throw new NotFoundError('File not found');
  return { root: deps.local.dir, key: cmd.key, mimeType };
}
