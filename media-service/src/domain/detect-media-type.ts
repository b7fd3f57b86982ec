import type { MediaKind } from '../models/media.model';

/**
 * Decides what an upload is from its first bytes, never from the client's Content-Type or file name.
 * Pure: takes the bytes, returns the type or undefined for anything outside the allowlist.
 */

export interface MediaType {
  mimeType: string;
  kind: MediaKind;
  /** Extension for stored file names. */
  ext: string;
}

export const ALLOWED_MEDIA_TYPES = {
  jpeg: { mimeType: 'image/jpeg', kind: 'image', ext: 'jpg' },
  png: { mimeType: 'image/png', kind: 'image', ext: 'png' },
  gif: { mimeType: 'image/gif', kind: 'image', ext: 'gif' },
  webp: { mimeType: 'image/webp', kind: 'image', ext: 'webp' },
  mp4: { mimeType: 'video/mp4', kind: 'video', ext: 'mp4' },
  webm: { mimeType: 'video/webm', kind: 'video', ext: 'webm' },
} as const satisfies Record<string, MediaType>;

const startsWith = (buf: Buffer, signature: readonly number[], offset = 0): boolean =>
  buf.length >= offset + signature.length && signature.every((byte, i) => buf[offset + i] === byte);

const ascii = (text: string): number[] => [...text].map((c) => c.charCodeAt(0));

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG = [0xff, 0xd8, 0xff];
const EBML = [0x1a, 0x45, 0xdf, 0xa3];

/**
 * ISO base media brands that are MP4 video. The same `ftyp` box also starts HEIC/AVIF images and QuickTime
 * files, which are not on the allowlist, so the major brand decides.
 */
const MP4_BRANDS = new Set([
  'isom',
  'iso2',
  'iso3',
  'iso4',
  'iso5',
  'iso6',
  'mp41',
  'mp42',
  'mp71',
  'avc1',
  'dash',
  'M4V ',
  'msnv',
]);

function isMp4(buf: Buffer): boolean {
  if (buf.length < 12 || !startsWith(buf, ascii('ftyp'), 4)) return false;
  const boxSize = buf.readUInt32BE(0);
  return boxSize >= 16 && MP4_BRANDS.has(buf.toString('latin1', 8, 12));
}

/** WebM is Matroska with DocType "webm"; plain Matroska (`.mkv`) is not allowed. */
function isWebm(buf: Buffer): boolean {
  if (!startsWith(buf, EBML)) return false;
  const header = buf.subarray(0, 64);
  for (let i = 4; i + 3 < header.length; i++) {
    // DocType element id 0x4282, then a one-byte size (0x80 | length), then the string.
    if (header[i] === 0x42 && header[i + 1] === 0x82) {
      const sizeByte = header[i + 2] ?? 0;
      const length = sizeByte & 0x7f;
      if ((sizeByte & 0x80) === 0 || length === 0) return false;
      return header.toString('latin1', i + 3, i + 3 + length) === 'webm';
    }
  }
  return false;
}

export function detectMediaType(buf: Buffer): MediaType | undefined {
  if (startsWith(buf, JPEG)) return ALLOWED_MEDIA_TYPES.jpeg;
  if (startsWith(buf, PNG)) return ALLOWED_MEDIA_TYPES.png;
  if (startsWith(buf, ascii('GIF87a')) || startsWith(buf, ascii('GIF89a'))) return ALLOWED_MEDIA_TYPES.gif;
  if (startsWith(buf, ascii('RIFF')) && startsWith(buf, ascii('WEBP'), 8)) return ALLOWED_MEDIA_TYPES.webp;
  if (isMp4(buf)) return ALLOWED_MEDIA_TYPES.mp4;
  if (isWebm(buf)) return ALLOWED_MEDIA_TYPES.webm;
  return undefined;
}
