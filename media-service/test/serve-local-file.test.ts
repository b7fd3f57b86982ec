import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import request from 'supertest';
import { startMongo, type TestMongo } from '@social/testkit';
import { createTestUser } from '@social/testkit/helpers';
import { mp4, png } from './support/fixtures';
import { createMediaTestEnv, PUBLIC_URL, type MediaTestApp } from './support/media-test-app';

let mongo: TestMongo;
let env: Awaited<ReturnType<typeof createMediaTestEnv>>;
let t: MediaTestApp;
const alice = createTestUser();

beforeAll(async () => {
  mongo = await startMongo();
  // Like the default MEDIA_DIR (media-service/.media): the folder's own path has a dot segment.
  env = await createMediaTestEnv(mongo.uri, { mediaSubdir: path.join('x', '.media') });
  t = env.build();
});

afterAll(async () => {
  await env.close();
  await mongo.stop();
});

const uploadKey = async (bytes: Buffer, name: string): Promise<string> => {
  const res = await request(t.app).post('/api/media/upload').set(alice.auth).attach('file', bytes, name);
  return (res.body.url as string).slice(PUBLIC_URL.length + 1);
};

const binary = (res: request.Response, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};

describe('GET /api/media/files/:key', () => {
  test('when the media folder’s path has a dot segment, then its files are still served', async () => {
    const bytes = png();
    const key = await uploadKey(bytes, 'pixel.png');

    const res = await request(t.app).get(`/api/media/files/${key}`).buffer(true).parse(binary);

    expect(t.local.dir).toMatch(/[/\\]x[/\\]\.media$/);
    expect(res).toMatchObject({ status: 200, body: bytes });
    expect(res.headers['content-type']).toBe('image/png');
  });

  test('when an uploaded file is fetched without a token, then the same bytes with its type and nosniff', async () => {
    const bytes = png();
    const key = await uploadKey(bytes, 'evil.html');

    const res = await request(t.app).get(`/api/media/files/${key}`).buffer(true).parse(binary);

    expect(res.status).toBe(200);
    expect(res.headers).toMatchObject({
      'content-type': 'image/png',
      'x-content-type-options': 'nosniff',
      'content-length': String(bytes.length),
      'cross-origin-resource-policy': 'cross-origin',
    });
    // Shown on its own, the file may be drawn and styled by the browser's viewer; nothing else loads or runs.
    expect(res.headers['content-security-policy']).toBe(
      "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    );
    expect(res.headers['content-disposition']).toBeUndefined();
    expect(res.body).toEqual(bytes);
  });

  test('when a video is fetched with a Range header, then 206 with that slice', async () => {
    const bytes = mp4();
    const key = await uploadKey(bytes, 'clip.mp4');

    const res = await request(t.app)
      .get(`/api/media/files/${key}`)
      .set('Range', 'bytes=4-7')
      .buffer(true)
      .parse(binary);

    expect(res.status).toBe(206);
    expect(res.headers['content-type']).toBe('video/mp4');
    expect(res.body.toString('latin1')).toBe('ftyp');
  });

  test('when a well-formed key has no record, then 404 even if a file with that name exists', async () => {
    const key = `${'a'.repeat(32)}.png`;
    await writeFile(path.join(t.local.dir, key), png());

    const res = await request(t.app).get(`/api/media/files/${key}`);

    expect(res).toMatchObject({ status: 404, body: { success: false } });
  });

  test.each([
    '..%2F..%2F..%2Fetc%2Fpasswd',
    '%2e%2e%2fpackage.json',
    '..%5C..%5Cwindows',
    '.hidden',
    `${'a'.repeat(32)}.png%00.html`,
    `${'A'.repeat(32)}.png`,
    `${'a'.repeat(32)}.svg`,
    `${'a'.repeat(31)}.png`,
  ])('when the key is %s, then 400 and no file is read', async (key) => {
    const res = await request(t.app).get(`/api/media/files/${key}`);

    expect(res).toMatchObject({ status: 400, body: { success: false, message: 'Validation failed' } });
    expect(res.headers['content-type']).toMatch(/application\/json/);
  });

  test.each([
    '/api/media/files/../../package.json',
    '/api/media/files/a/../../x',
    '/api/media/files/sub/dir.png',
  ])('when the path %s tries to leave the folder, then it is not served', async (url) => {
    const res = await request(t.app).get(url);

    expect([400, 401, 404]).toContain(res.status);
    expect(res.headers['content-type']).toMatch(/application\/json/);
  });

  test('when the record exists but the file is gone, then 404 as JSON', async () => {
    const key = await uploadKey(png(), 'a.png');
    await t.local.remove({ key, kind: 'image' });

    const res = await request(t.app).get(`/api/media/files/${key}`);

    expect(res).toMatchObject({ status: 404, body: { success: false, message: 'File not found' } });
    expect(res.headers['content-type']).toMatch(/application\/json/);
  });
});
