import { mongoose, type Connection } from '@social/common/mongo';
import { STORAGE_NAMES, type StorageName } from '../config';
import type { MediaKind } from '../domain/detect-media-type';

export interface MediaDoc {
  _id: mongoose.Types.ObjectId;
  userId: string;
  storage: StorageName;
  /** Where the storage keeps it: the Cloudinary public_id, or the local file name. */
  key: string;
  /** Cloudinary's resource_type; also says which allowlist family the bytes matched. */
  kind: MediaKind;
  url: string;
  mimeType: string;
  size: number;
  originalName: string;
  createdAt: Date;
}

export type LeanMedia = MediaDoc;

export interface MediaDto {
  id: string;
  userId: string;
  url: string;
  mimeType: string;
  size: number;
  createdAt: string;
}

const mediaSchema = new mongoose.Schema<MediaDoc>(
  {
    userId: { type: String, required: true },
    storage: { type: String, required: true, enum: STORAGE_NAMES },
    key: { type: String, required: true },
    kind: { type: String, required: true, enum: ['image', 'video'] },
    url: { type: String, required: true },
    mimeType: { type: String, required: true },
    size: { type: Number, required: true, min: 0 },
    originalName: { type: String, required: true },
    createdAt: { type: Date, required: true, default: () => new Date() },
  },
  { collection: 'media', versionKey: false },
);
// The caller's list, newest first; and the public file route looks records up by their local key.
mediaSchema.index({ userId: 1, createdAt: -1, _id: -1 });
mediaSchema.index({ storage: 1, key: 1 }, { unique: true });

export type MediaModel = mongoose.Model<MediaDoc>;

export const createMediaModel = (conn: Connection): MediaModel => conn.model<MediaDoc>('Media', mediaSchema);

export const toMediaDto = (d: LeanMedia): MediaDto => ({
  id: d._id.toHexString(),
  userId: d.userId,
  url: d.url,
  mimeType: d.mimeType,
  size: d.size,
  createdAt: d.createdAt.toISOString(),
});
