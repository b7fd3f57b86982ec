import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '@social/common/config';
import { mediaConfigSchema, resolveMediaConfig, type MediaEnv } from '../src/config';

// An empty folder as service and root dir, so no developer .env file leaks into these checks.
const emptyDir = mkdtempSync(path.join(os.tmpdir(), 'media-config-'));
afterAll(() => rmSync(emptyDir, { recursive: true, force: true }));
const base = { MONGO_URI: 'mongodb://127.0.0.1:27017/media', JWT_SECRET: 'x'.repeat(32) };
const load = (env: Record<string, string>) =>
  resolveMediaConfig(
    loadConfig<MediaEnv>(mediaConfigSchema, {
      serviceDir: emptyDir,
      rootDir: emptyDir,
      env: { ...base, ...env },
    }),
  );

describe('media config', () => {
  test('when nothing media-specific is set, then local storage, port 3003, 10 MiB, gateway file URL', () => {
    expect(load({})).toMatchObject({
      PORT: 3003,
      storage: 'local',
      MEDIA_MAX_BYTES: 10 * 1024 * 1024,
      MEDIA_PUBLIC_URL: 'http://localhost:3000/v1/media/files',
      MEDIA_POST_DELETED_QUEUE: 'media-service.post-deleted',
      cloudinary: undefined,
    });
  });

  test('when only GATEWAY_PORT is set (compose publishes the gateway elsewhere), then file URLs follow it', () => {
    expect(load({ GATEWAY_PORT: '8080' }).MEDIA_PUBLIC_URL).toBe('http://localhost:8080/v1/media/files');
  });

  test('when MEDIA_PUBLIC_URL is set, then it wins over the GATEWAY_PORT default', () => {
    expect(
      load({ GATEWAY_PORT: '8080', MEDIA_PUBLIC_URL: 'https://api.example.com/v1/media/files' })
        .MEDIA_PUBLIC_URL,
    ).toBe('https://api.example.com/v1/media/files');
  });

  test('when CLOUDINARY_URL is set, then cloudinary is chosen with its credentials', () => {
    expect(load({ CLOUDINARY_URL: 'cloudinary://123456:s3cr3t@demo-cloud' })).toMatchObject({
      storage: 'cloudinary',
      cloudinary: { cloudName: 'demo-cloud', apiKey: '123456', apiSecret: 's3cr3t' },
    });
  });

  test('when the seed variables CLOUDNAME, API_KEY, API_SECRET are set, then cloudinary is chosen', () => {
    expect(load({ CLOUDNAME: 'c', API_KEY: 'k', API_SECRET: 's' })).toMatchObject({
      storage: 'cloudinary',
      cloudinary: { cloudName: 'c', apiKey: 'k', apiSecret: 's' },
    });
  });

  test('when MEDIA_STORAGE=local is set next to credentials, then local wins', () => {
    expect(load({ MEDIA_STORAGE: 'local', CLOUDNAME: 'c', API_KEY: 'k', API_SECRET: 's' }).storage).toBe(
      'local',
    );
  });

  test('when MEDIA_STORAGE=cloudinary has no credentials, then a ConfigError', () => {
    expect(() => load({ MEDIA_STORAGE: 'cloudinary' })).toThrow(ConfigError);
  });

  test('when only part of the seed credentials is set, then a ConfigError that does not print the secret', () => {
    let error: unknown;
    try {
      load({ CLOUDNAME: 'c', API_SECRET: 'very-secret-value' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(String((error as Error).message)).not.toContain('very-secret-value');
  });

  test('when CLOUDINARY_URL is malformed, then a ConfigError without its value', () => {
    expect(() => load({ CLOUDINARY_URL: 'https://key:hidden-secret@x' })).toThrow(/CLOUDINARY_URL/);
    expect(() => load({ CLOUDINARY_URL: 'https://key:hidden-secret@x' })).not.toThrow(/hidden-secret/);
  });
});
