/** Tiny but real files of each allowed format, plus impostors. Built here, never read from disk. */
const b64 = (s: string): Buffer => Buffer.from(s, 'base64');

/** 1x1 red PNG (valid IHDR/IDAT/IEND chunks). */
export const png = (): Buffer =>
  b64('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==');

/** 1x1 transparent GIF89a. */
export const gif = (): Buffer => b64('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7');

/** 1x1 baseline JPEG (SOI, APP0 JFIF, DQT, SOF, DHT, SOS, EOI). */
export const jpeg = (): Buffer =>
  b64(
    '/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////' +
      '////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=',
  );

/** 1x1 lossless WebP (RIFF/WEBP/VP8L). */
export const webp = (): Buffer => b64('UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==');

const box = (type: string, payload: Buffer): Buffer => {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(8 + payload.length, 0);
  header.write(type, 4, 'latin1');
  return Buffer.concat([header, payload]);
};

/** An ISO BMFF file: `ftyp` (major brand, minor version, compatible brands) and an empty `mdat`. */
export const isoBmff = (brand: string): Buffer =>
  Buffer.concat([
    box(
      'ftyp',
      Buffer.concat([
        Buffer.from(brand, 'latin1'),
        Buffer.from([0, 0, 2, 0]),
        Buffer.from(`${brand}mp41`, 'latin1'),
      ]),
    ),
    box('mdat', Buffer.alloc(8)),
  ]);

export const mp4 = (): Buffer => isoBmff('isom');

const ebmlElement = (id: number[], payload: Buffer): Buffer =>
  Buffer.concat([Buffer.from(id), Buffer.from([0x80 | payload.length]), payload]);

/** An EBML header with the given DocType, followed by a Segment of unknown size. */
export const matroska = (docType: string): Buffer => {
  const header = Buffer.concat([
    ebmlElement([0x42, 0x86], Buffer.from([1])), // EBMLVersion
    ebmlElement([0x42, 0xf7], Buffer.from([1])), // EBMLReadVersion
    ebmlElement([0x42, 0xf2], Buffer.from([4])), // EBMLMaxIDLength
    ebmlElement([0x42, 0xf3], Buffer.from([8])), // EBMLMaxSizeLength
    ebmlElement([0x42, 0x82], Buffer.from(docType, 'latin1')), // DocType
    ebmlElement([0x42, 0x87], Buffer.from([2])), // DocTypeVersion
    ebmlElement([0x42, 0x85], Buffer.from([2])), // DocTypeReadVersion
  ]);
  return Buffer.concat([
    Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x80 | header.length]),
    header,
    Buffer.from([0x18, 0x53, 0x80, 0x67, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
  ]);
};

export const webm = (): Buffer => matroska('webm');

/** A Windows executable's first bytes. */
export const exe = (): Buffer =>
  Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'), Buffer.alloc(56)]);
export const svg = (): Buffer =>
  Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="1" height="1"/></svg>');
export const html = (): Buffer => Buffer.from('<!doctype html><html><script>alert(1)</script></html>');

export const allowedFixtures = [
  { format: 'jpeg', build: jpeg, mimeType: 'image/jpeg', kind: 'image', ext: 'jpg', name: 'photo.jpg' },
  { format: 'png', build: png, mimeType: 'image/png', kind: 'image', ext: 'png', name: 'pixel.png' },
  { format: 'gif', build: gif, mimeType: 'image/gif', kind: 'image', ext: 'gif', name: 'anim.gif' },
  { format: 'webp', build: webp, mimeType: 'image/webp', kind: 'image', ext: 'webp', name: 'pic.webp' },
  { format: 'mp4', build: mp4, mimeType: 'video/mp4', kind: 'video', ext: 'mp4', name: 'clip.mp4' },
  { format: 'webm', build: webm, mimeType: 'video/webm', kind: 'video', ext: 'webm', name: 'clip.webm' },
] as const;
