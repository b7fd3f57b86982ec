import type { MediaType } from '../domain/detect-media-type';
import type { MediaKind, StorageName } from '../models/media.model';

export interface StoredObject {
  /** The driver's own reference: Cloudinary public_id or local file name. */
  key: string;
  url: string;
}

export interface PutInput {
  data: Buffer;
  type: MediaType;
}

/** One place where uploaded bytes live. Implementations wrap their failures in UpstreamError. */
export interface MediaStorage {
  readonly name: StorageName;
  put(input: PutInput): Promise<StoredObject>;
  /** Removes the object; an object that is already gone counts as removed (deletes are retried). */
  remove(object: { key: string; kind: MediaKind }): Promise<void>;
}

/** The driver for new uploads, and every configured driver by name for records made earlier. */
export interface MediaStorages {
  active: MediaStorage;
  byName: Partial<Record<StorageName, MediaStorage>>;
}
