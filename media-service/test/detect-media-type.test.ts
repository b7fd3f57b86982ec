import { detectMediaType } from '../src/domain/detect-media-type';
import { sanitizeFileName } from '../src/domain/sanitize-file-name';
import { allowedFixtures, exe, html, isoBmff, matroska, png, svg } from './support/fixtures';

describe('detectMediaType', () => {
  test.each(allowedFixtures)(
    'when the bytes are a real $format file, then $mimeType',
    ({ build, mimeType, kind }) => {
      expect(detectMediaType(build())).toMatchObject({ mimeType, kind });
    },
  );

  test.each([
    { what: 'a Windows executable', bytes: exe() },
    { what: 'an SVG document', bytes: svg() },
    { what: 'an HTML document', bytes: html() },
    { what: 'an empty buffer', bytes: Buffer.alloc(0) },
    { what: 'a truncated PNG signature', bytes: png().subarray(0, 5) },
    { what: 'a GIF signature without the version', bytes: Buffer.from('GIF8') },
    {
      what: 'a RIFF file that is not WebP (WAV)',
      bytes: Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt ', 'latin1'),
    },
    { what: 'a HEIC image (ftyp heic)', bytes: isoBmff('heic') },
    { what: 'an AVIF image (ftyp avif)', bytes: isoBmff('avif') },
    { what: 'a QuickTime movie (ftyp qt)', bytes: isoBmff('qt  ') },
    { what: 'a Matroska video (DocType matroska)', bytes: matroska('matroska') },
    { what: 'a PDF', bytes: Buffer.from('%PDF-1.7\n') },
  ])('when the bytes are $what, then it is not allowed', ({ bytes }) => {
    expect(detectMediaType(bytes)).toBeUndefined();
  });

  test('when PNG bytes follow other content, then the leading bytes decide (not allowed)', () => {
    expect(detectMediaType(Buffer.concat([Buffer.from('<html>'), png()]))).toBeUndefined();
  });
});

describe('sanitizeFileName', () => {
  test.each([
    { input: 'holiday.jpg', expected: 'holiday.jpg' },
    { input: '../../etc/passwd', expected: 'passwd' },
    { input: 'C:\\Users\\me\\cat.png', expected: 'cat.png' },
    { input: 'a\u0000b\r\nc.png', expected: 'a_b__c.png' },
    { input: '.htaccess', expected: 'htaccess' },
    { input: '   ', expected: 'file' },
    { input: undefined, expected: 'file' },
    { input: 'x'.repeat(500), expected: 'x'.repeat(200) },
    { input: 'café "quoted" <b>.gif', expected: 'café _quoted_ _b_.gif' },
  ])('when the name is $input, then it becomes $expected', ({ input, expected }) => {
    expect(sanitizeFileName(input)).toBe(expected);
  });
});
