import request from 'supertest';
import { UpstreamError } from '@social/common/http';
import { connectMongo } from '@social/common/mongo';
import { startMongo, type TestMongo } from '@social/testkit';
import { createTestUser } from '@social/testkit/helpers';
import { createMediaModel } from '../src/models/media.model';
import { createCloudinaryStorage } from '../src/storage/cloudinary.storage';
import type { MediaStorage } from '../src/storage/media-storage';
import { ALLOWED_MEDIA_TYPES } from '../src/domain/detect-media-type';
import {
  cloudinarySignature,
  startCloudinaryEmulator,
  type CloudinaryEmulator,
} from './support/cloudinary-emulator';
import { jpeg, webm } from './support/fixtures';
import { createMediaTestEnv, type MediaTestApp } from './support/media-test-app';

const credentials = { cloudName: 'demo-cloud', apiKey: '614335564976464', apiSecret: 'emulator-secret-abc' };

let mongo: TestMongo;
let env: Awaited<ReturnType<typeof createMediaTestEnv>>;
let emulator: CloudinaryEmulator;
let storage: MediaStorage;
let t: MediaTestApp;
const alice = createTestUser();

beforeAll(async () => {
  [mongo, emulator] = await Promise.all([startMongo(), startCloudinaryEmulator(credentials)]);
  env = await createMediaTestEnv(mongo.uri);
  storage = createCloudinaryStorage({
    credentials,
    folder: 'social-media',
    timeoutMs: 5_000,
    uploadPrefix: emulator.uploadPrefix,
    agent: emulator.agent,
  });
  t = env.build({ active: storage });
});

afterAll(async () => {
  await Promise.all([env.close(), emulator.close()]);
  await mongo.stop();
});

const lastRequest = () => emulator.requests[emulator.requests.length - 1];

describe('Cloudinary driver (real SDK against an HTTPS emulator)', () => {
  test('when an image is uploaded through the API, then the SDK sends a signed image upload with the bytes', async () => {
    const bytes = jpeg();

    const res = await request(t.app)
      .post('/api/media/upload')
      .set(alice.auth)
      .attach('file', bytes, 'me.jpg');

    expect(res.status).toBe(201);
    const sent = lastRequest();
    expect(sent).toMatchObject({
      action: 'upload',
      cloudName: 'demo-cloud',
      resourceType: 'image',
      signatureValid: true,
      params: {
        api_key: credentials.apiKey,
        folder: 'social-media',
        timestamp: expect.stringMatching(/^\d+$/),
      },
    });
    expect(sent?.params).not.toHaveProperty('api_secret');
    expect(sent?.file).toEqual(bytes);
    expect(sent?.params.signature).toBe(cloudinarySignature(sent!.params, credentials.apiSecret));
  });

  test('when an image is uploaded, then the record keeps the public_id and the secure URL', async () => {
    const res = await request(t.app)
      .post('/api/media/upload')
      .set(alice.auth)
      .attach('file', jpeg(), 'me.jpg');

    expect(res.body.url).toMatch(
      /^https:\/\/res\.cloudinary\.com\/demo-cloud\/image\/upload\/v\d+\/social-media\/[a-f0-9]+$/,
    );
    const record = await t.media.findById(res.body.mediaId).lean();
    expect(record).toMatchObject({ storage: 'cloudinary', kind: 'image', url: res.body.url });
    expect(emulator.assets.has(`image/${record!.key}`)).toBe(true);
  });

  test('when a video is uploaded, then it goes to the video resource_type', async () => {
    const res = await request(t.app)
      .post('/api/media/upload')
      .set(alice.auth)
      .attach('file', webm(), 'clip.webm');

    expect(res.status).toBe(201);
    expect(lastRequest()).toMatchObject({ action: 'upload', resourceType: 'video', signatureValid: true });
    expect(res.body).toMatchObject({
      mimeType: 'video/webm',
      url: expect.stringContaining('/video/upload/'),
    });
  });

  test('when Cloudinary fails the upload, then 502 and no record is written', async () => {
    const count = await t.media.countDocuments();
    emulator.failNext(500);

    const res = await request(t.app)
      .post('/api/media/upload')
      .set(alice.auth)
      .attach('file', jpeg(), 'me.jpg');

    expect(res).toMatchObject({ status: 502, body: { success: false, message: 'Storage unavailable' } });
    expect(await t.media.countDocuments()).toBe(count);
  });

  test('when the record write fails after the upload, then the asset is destroyed again', async () => {
    const deadConn = await connectMongo({ uri: mongo.uri, log: t.logs.log, attempts: 1 });
    const deadModel = createMediaModel(deadConn);
    await deadConn.close();
    const broken = env.build({ active: storage, media: deadModel });

    const res = await request(broken.app)
      .post('/api/media/upload')
      .set(alice.auth)
      .attach('file', jpeg(), 'me.jpg');

    expect(res.status).toBe(503);
    const [upload, destroy] = emulator.requests.slice(-2);
    expect(destroy).toMatchObject({ action: 'destroy', resourceType: 'image', signatureValid: true });
    expect(destroy?.params.public_id).toMatch(/^social-media\//);
    expect(upload?.action).toBe('upload');
    expect(emulator.assets.has(`image/${destroy?.params.public_id}`)).toBe(false);
  });

  test('when the credentials are wrong, then the emulator rejects the signature and the upload is 502', async () => {
    const wrong = createCloudinaryStorage({
      credentials: { ...credentials, apiSecret: 'not-the-secret' },
      timeoutMs: 5_000,
      uploadPrefix: emulator.uploadPrefix,
      agent: emulator.agent,
    });

    const res = await request(env.build({ active: wrong }).app)
      .post('/api/media/upload')
      .set(alice.auth)
      .attach('file', jpeg(), 'me.jpg');

    expect(res.status).toBe(502);
    expect(lastRequest()?.signatureValid).toBe(false);
  });

  test('when a stored asset is removed, then the SDK sends a signed destroy for its public_id and type', async () => {
    const stored = await storage.put({ data: webm(), type: ALLOWED_MEDIA_TYPES.webm });

    await storage.remove({ key: stored.key, kind: 'video' });

    expect(lastRequest()).toMatchObject({
      action: 'destroy',
      resourceType: 'video',
      signatureValid: true,
      params: { public_id: stored.key, invalidate: 'true', api_key: credentials.apiKey },
    });
    expect(emulator.assets.has(`video/${stored.key}`)).toBe(false);
  });

  test('when the asset is already gone ("not found"), then remove still succeeds', async () => {
    await expect(
      storage.remove({ key: 'social-media/never-uploaded', kind: 'image' }),
    ).resolves.toBeUndefined();
    expect(lastRequest()).toMatchObject({ action: 'destroy', signatureValid: true });
  });

  test('when Cloudinary fails the destroy, then remove rejects with UpstreamError', async () => {
    emulator.failNext(503);

    await expect(storage.remove({ key: 'social-media/x', kind: 'image' })).rejects.toBeInstanceOf(
      UpstreamError,
    );
  });
});
