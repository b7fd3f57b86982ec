import { UnsupportedMediaTypeError, ValidationError } from '@social/common/http';
import type { Logger } from '@social/common/logger';
import { insertMedia, type MediaModel } from '../models/media.model';
import type { MediaStorage } from '../storage/media-storage';
import { ALLOWED_MEDIA_TYPES, detectMediaType } from './detect-media-type';
import { sanitizeFileName } from './sanitize-file-name';

export interface UploadMediaDeps {
  media: MediaModel;
  storage: MediaStorage;
  log: Logger;
  onUploaded?: (storage: string) => void;
}

export interface UploadMediaCommand {
  userId: string;
  file?: { buffer: Buffer; originalname?: string };
}

/** What the uploader gets back (the upload route's answer). */
export interface UploadedMediaDto {
  mediaId: string;
  url: string;
  mimeType: string;
  size: number;
}

const allowedList = Object.keys(ALLOWED_MEDIA_TYPES).join(', ');

export async function uploadMedia(deps: UploadMediaDeps, cmd: UploadMediaCommand): Promise<UploadedMediaDto> {
  const { file } = cmd;
  if (!file || file.buffer.length === 0) {
    throw new ValidationError('A file is required', [{ path: 'file', reason: 'send one non-empty file' }]);
  }
  const type = detectMediaType(file.buffer);
  if (!type) throw new UnsupportedMediaTypeError(`Unsupported file type; allowed: ${allowedList}`);

  // A storage failure throws here, before any record exists.
  const stored = await deps.storage.put({ data: file.buffer, type });
  try {
    const media = await insertMedia(deps.media, {
      userId: cmd.userId,
      storage: deps.storage.name,
      key: stored.key,
      kind: type.kind,
      url: stored.url,
      mimeType: type.mimeType,
      size: file.buffer.length,
      originalName: sanitizeFileName(file.originalname),
      createdAt: new Date(),
    });
    const mediaId = media._id.toHexString();
    deps.log.info('media uploaded', {
      mediaId,
      storage: media.storage,
      mimeType: media.mimeType,
      size: media.size,
    });
    deps.onUploaded?.(deps.storage.name);
    return { mediaId, url: media.url, mimeType: media.mimeType, size: media.size };
  } catch (err) {
    // No record means nobody could ever find or delete the stored file: remove it now.
    await deps.storage.remove({ key: stored.key, kind: type.kind }).catch((cleanupErr: unknown) => {
      deps.log.error('orphaned stored file after failed record write', {
        storage: deps.storage.name,
        key: stored.key,
        err: cleanupErr,
      });
    });
    throw err;
  }
}
