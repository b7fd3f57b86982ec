import { readFile } from 'node:fs/promises';
import path from 'node:path';
import request from 'supertest';
import { startMongo, type TestMongo } from '@social/testkit';
import { createTestUser } from '@social/testkit/helpers';
import { createMediaModel } from '../src/models/media.model';
import { connectMongo } from '@social/common/mongo';
import { allowedFixtures, exe, html, png, svg } from './support/fixtures';
import { createMediaTestEnv, PUBLIC_URL, type MediaTestApp } from './support/media-test-app';

let mongo: TestMongo;
let env: Awaited<ReturnType<typeof createMediaTestEnv>>;
let t: MediaTestApp;
const alice = createTestUser();

beforeAll(async () => {
  mongo = await startMongo();
  env = await createMediaTestEnv(mongo.uri);
  t = env.build();
});

afterAll(async () => {
  await env.close();
  await mongo.stop();
});

const upload = (app = t.app) => request(app).post('/api/media/upload').set(alice.auth);

describe('POST /api/media/upload', () => {
  test.each(allowedFixtures)(
    'when a real $format file is uploaded, then 201 with its id, local URL, detected type and size',
    async ({ build, mimeType, name }) => {
      const bytes = build();

      const res = await upload().attach('file', bytes, {
        filename: name,
        contentType: 'application/octet-stream',
      });

      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        success: true,
        mediaId: expect.stringMatching(/^[a-f0-9]{24}$/),
        url: expect.stringMatching(new RegExp(`^${PUBLIC_URL}/[a-f0-9]{32}\\.[a-z0-9]+$`)),
        mimeType,
        size: bytes.length,
      });
    },
  );

  test.each(allowedFixtures)(
    'when a $format file is uploaded, then the record and the byte-identical file on disk exist',
    async ({ build, mimeType, kind, ext, name }) => {
      const bytes = build();

      const res = await upload().attach('file', bytes, name);

      const record = await t.media.findById(res.body.mediaId).lean();
      expect(record).toMatchObject({
        userId: alice.id,
        storage: 'local',
        key: expect.stringMatching(new RegExp(`^[a-f0-9]{32}\\.${ext}$`)),
        kind,
        url: res.body.url,
        mimeType,
        size: bytes.length,
        originalName: name,
        createdAt: expect.any(Date),
      });
      expect(await readFile(path.join(t.local.dir, record!.key))).toEqual(bytes);
    },
  );

  test('when the client names the file with a path and special characters, then only a clean name is kept', async () => {
    const res = await upload().attach('file', png(), '../../etc/pass|wd;<x>.png');

    expect(res.status).toBe(201);
    const record = await t.media.findById(res.body.mediaId).lean();
    expect(record?.originalName).toBe('pass_wd__x_.png');
  });

  test.each([
    {
      what: 'executable bytes named .png with image/png',
      bytes: exe(),
      filename: 'cat.png',
      contentType: 'image/png',
    },
    { what: 'an SVG image', bytes: svg(), filename: 'logo.svg', contentType: 'image/svg+xml' },
    { what: 'an HTML page named .jpg', bytes: html(), filename: 'photo.jpg', contentType: 'image/jpeg' },
    { what: 'plain text', bytes: Buffer.from('hello'), filename: 'a.gif', contentType: 'image/gif' },
  ])('when the upload is $what, then 415 and nothing is stored', async ({ bytes, filename, contentType }) => {
    const before = await t.storedFiles();
    const count = await t.media.countDocuments({ userId: alice.id });

    const res = await upload().attach('file', bytes, { filename, contentType });

    expect(res).toMatchObject({ status: 415, body: { success: false, requestId: expect.any(String) } });
    expect(res.body.message).toMatch(/jpeg, png, gif, webp, mp4, webm/);
    expect(await t.storedFiles()).toEqual(before);
    expect(await t.media.countDocuments({ userId: alice.id })).toBe(count);
  });

  test('when the file is larger than MEDIA_MAX_BYTES, then 413 and nothing is stored', async () => {
    const small = env.build({ maxBytes: 1024 });
    const before = await small.storedFiles();
    const big = Buffer.concat([png(), Buffer.alloc(2048)]);

    const res = await upload(small.app).attach('file', big, 'big.png');

    expect(res).toMatchObject({ status: 413, body: { success: false, message: 'File too large' } });
    expect(await small.storedFiles()).toEqual(before);
  });

  test('when the file is exactly MEDIA_MAX_BYTES, then it is accepted', async () => {
    const bytes = Buffer.concat([png(), Buffer.alloc(1024 - png().length)]);
    const small = env.build({ maxBytes: 1024 });

    const res = await upload(small.app).attach('file', bytes, 'edge.png');

    expect(res.status).toBe(201);
    expect(res.body.size).toBe(1024);
  });

  test.each([
    { what: 'no file part', send: (r: request.Test) => r.field('note', 'hi') },
    {
      what: 'an empty multipart body',
      send: (r: request.Test) => r.type('multipart/form-data; boundary=x').send('--x--\r\n'),
    },
    {
      what: 'the file under another field name',
      send: (r: request.Test) => r.attach('media', png(), 'a.png'),
    },
    {
      what: 'an extra text field',
      send: (r: request.Test) => r.attach('file', png(), 'a.png').field('caption', 'x'),
    },
    {
      what: 'two files',
      send: (r: request.Test) => r.attach('file', png(), 'a.png').attach('file', png(), 'b.png'),
    },
    { what: 'an empty file', send: (r: request.Test) => r.attach('file', Buffer.alloc(0), 'a.png') },
  ])('when the request has $what, then 400 and nothing is stored', async ({ send }) => {
    const before = await t.storedFiles();

    const res = await send(upload());

    expect(res).toMatchObject({ status: 400, body: { success: false, requestId: expect.any(String) } });
    expect(await t.storedFiles()).toEqual(before);
  });

  test('when the body is JSON instead of multipart, then 415 and nothing is stored', async () => {
    const before = await t.storedFiles();

    const res = await upload().send({ file: 'abc' });

    expect(res).toMatchObject({
      status: 415,
      body: { success: false, message: 'Content-Type must be multipart/form-data' },
    });
    expect(await t.storedFiles()).toEqual(before);
  });

  test.each(['gzip', 'deflate', 'br', 'x-unknown'])(
    'when the multipart body is sent with Content-Encoding: %s, then 415 and nothing is stored',
    async (encoding) => {
      const before = await t.storedFiles();

      const res = await upload().set('content-encoding', encoding).attach('file', png(), 'a.png');

      expect(res).toMatchObject({
        status: 415,
        body: { success: false, message: 'Uploads must not be content-encoded' },
      });
      expect(await t.storedFiles()).toEqual(before);
    },
  );

  const part = (headers: string, body: Buffer | string = png()) =>
    Buffer.concat([
      Buffer.from(`--b\r\n${headers}\r\n\r\n`),
      Buffer.from(body),
      Buffer.from('\r\n--b--\r\n'),
    ]);
  const disposition = (name: string, filename: string) =>
    `Content-Disposition: form-data; name="${name}"; filename="${filename}"\r\nContent-Type: image/png`;

  test.each([
    {
      what: 'multipart without a boundary',
      type: 'multipart/form-data',
      body: () => part(disposition('file', 'a.png')),
    },
    {
      what: 'a truncated multipart body',
      type: 'multipart/form-data; boundary=b',
      body: () => part(disposition('file', 'a.png')).subarray(0, 120),
    },
    {
      what: 'a 100 KB field name',
      type: 'multipart/form-data; boundary=b',
      body: () => part(disposition('f'.repeat(100_000), 'a.png')),
    },
    {
      what: 'a 100 KB filename',
      type: 'multipart/form-data; boundary=b',
      body: () => part(disposition('file', `${'n'.repeat(100_000)}.png`)),
    },
    {
      what: '~98 KB of part headers',
      type: 'multipart/form-data; boundary=b',
      body: () =>
        part(
          `${disposition('file', 'a.png')}\r\n${Array.from({ length: 98 }, (_, i) => `X-Pad-${i}: ${'p'.repeat(1000)}`).join('\r\n')}`,
        ),
    },
    {
      what: 'a NUL in the filename',
      type: 'multipart/form-data; boundary=b',
      body: () => part(disposition('file', 'a\u0000.png')),
    },
    {
      what: 'garbage instead of parts',
      type: 'multipart/form-data; boundary=b',
      body: () => Buffer.from('this is not multipart at all'),
    },
  ])(
    'when the upload has $what, then a 4xx JSON answer, no stack, nothing stored',
    async ({ type, body }) => {
      const before = await t.storedFiles();
      const count = await t.media.countDocuments({ userId: alice.id });

      const res = await upload().set('content-type', type).send(body());

      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.body).toMatchObject({
        success: false,
        message: expect.any(String),
        requestId: expect.any(String),
      });
      expect(JSON.stringify(res.body)).not.toMatch(/ at .*\.(js|ts):\d+/);
      expect(await t.storedFiles()).toEqual(before);
      expect(await t.media.countDocuments({ userId: alice.id })).toBe(count);
      expect(t.logs.lines.filter((l) => l.level === 'error')).toEqual([]);
    },
  );

  test('when no token is sent, then 401 with a Bearer challenge and nothing is stored', async () => {
    const before = await t.storedFiles();

    const res = await request(t.app).post('/api/media/upload').attach('file', png(), 'a.png');

    expect(res).toMatchObject({
      status: 401,
      headers: { 'www-authenticate': 'Bearer' },
      body: { success: false },
    });
    expect(await t.storedFiles()).toEqual(before);
  });

  test('when a client-sent x-user-id names someone else, then the token decides the owner', async () => {
    const res = await upload().set('x-user-id', 'ffffffffffffffffffffffff').attach('file', png(), 'a.png');

    expect((await t.media.findById(res.body.mediaId).lean())?.userId).toBe(alice.id);
  });

  test('when the record cannot be written, then the stored file is removed again and 503 is answered', async () => {
    const deadConn = await connectMongo({ uri: mongo.uri, log: t.logs.log, attempts: 1 });
    const deadModel = createMediaModel(deadConn);
    await deadConn.close();
    const broken = env.build({ media: deadModel });
    const before = await broken.storedFiles();

    const res = await upload(broken.app).attach('file', png(), 'a.png');

    expect(res).toMatchObject({ status: 503, body: { success: false } });
    expect(await broken.storedFiles()).toEqual(before);
  });

  test('when an upload succeeds, then it is logged with the request id and counted in /metrics', async () => {
    const res = await upload().set('x-request-id', 'req-upload-1').attach('file', gifBytes(), 'a.gif');

    expect(t.logs.lines).toContainEqual(
      expect.objectContaining({
        message: 'media uploaded',
        requestId: 'req-upload-1',
        userId: alice.id,
        mediaId: res.body.mediaId,
        mimeType: 'image/gif',
      }),
    );
    const metrics = await request(t.internal).get('/metrics');
    expect(metrics.text).toMatch(/media_uploads_total\{storage="local",service="media-service"\} [1-9]/);
  });
});

function gifBytes(): Buffer {
  return allowedFixtures[2].build();
}
