import { mongoose, type Connection } from '@social/common/mongo';

/** Where a file lives: Cloudinary, or this service's local folder. */
export const STORAGE_NAMES = ['cloudinary', 'local'] as const;
export type StorageName = (typeof STORAGE_NAMES)[number];
/** Cloudinary's resource_type; also the allowlist family the bytes matched. */
export type MediaKind = 'image' | 'video';

export interface MediaDoc {
  _id: mongoose.Types.ObjectId;
  userId: string;
  storage: StorageName;
  /** Where the storage keeps it: the Cloudinary public_id, or the local file name. */
  key: string;
  kind: MediaKind;
  url: string;
  mimeType: string;
  size: number;
  originalName: string;
  createdAt: Date;
}

/** A media record as the data layer hands it out: a plain object. */
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

export async function insertMedia(media: MediaModel, input: Omit<MediaDoc, '_id'>): Promise<LeanMedia> {
  return (await media.create(input)).toObject();
}

/** One record, only if `userId` owns it: someone else's id and a missing id look the same. */
export async function findOwnedMedia(
  media: MediaModel,
  query: { mediaId: string; userId: string },
): Promise<LeanMedia | null> {
  return media.findOne({ _id: query.mediaId, userId: query.userId }).lean<LeanMedia>();
}

/** The owner's records among `ids` (at most that many): ids of others' media or of none match nothing. */
export async function findOwnedMediaByIds(
  media: MediaModel,
  query: { userId: string; ids: string[] },
): Promise<LeanMedia[]> {
  if (query.ids.length === 0) return [];
  return media
    .find({ _id: { $in: query.ids }, userId: query.userId })
    .limit(query.ids.length)
    .lean<LeanMedia[]>();
}

/** The owner's records, newest first, one bounded page, optionally only among `ids`; with the total. */
export async function listOwnedMedia(
  media: MediaModel,
  query: { userId: string; ids?: string[]; skip: number; limit: number },
): Promise<{ media: LeanMedia[]; total: number }> {
  const filter = { userId: query.userId, ...(query.ids ? { _id: { $in: query.ids } } : {}) };
  const [found, total] = await Promise.all([
    media
      .find(filter)
      .sort({ createdAt: -1, _id: -1 })
      .skip(query.skip)
      .limit(query.limit)
      .lean<LeanMedia[]>(),
    media.countDocuments(filter),
  ]);
  return { media: found, total };
}

export async function deleteOwnedMedia(
  media: MediaModel,
  query: { mediaId: mongoose.Types.ObjectId | string; userId: string },
): Promise<void> {
  await media.deleteOne({ _id: query.mediaId, userId: query.userId });
}

/** The content type recorded for a local file's key, or null when no record has that key. */
export async function findLocalMimeType(media: MediaModel, key: string): Promise<string | null> {
  const found = await media
    .findOne({ storage: 'local', key }, { mimeType: 1 })
    .lean<Pick<LeanMedia, 'mimeType'>>();
  return found?.mimeType ?? null;
}

/** Up to `limit` of a user's records, any order (a deleted account's media are removed in batches). */
export async function findMediaOfUser(
  media: MediaModel,
  userId: string,
  limit: number,
): Promise<LeanMedia[]> {
  return media.find({ userId }).limit(limit).lean<LeanMedia[]>();
}
