import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { UpstreamError } from '@social/common/http';
import { ALLOWED_MEDIA_TYPES } from '../domain/detect-media-type';
import type { MediaStorage, PutInput, StoredObject } from './media-storage';

const extensions = Object.values(ALLOWED_MEDIA_TYPES).map((t) => t.ext);

/**
 * The only shape a local key can have: 32 random hex characters and an allowlisted extension. Anything else
 * (dots, slashes, encoded separators) is rejected before it gets near the file system.
 */
export const LOCAL_KEY_PATTERN = new RegExp(`^[a-f0-9]{32}\\.(?:${extensions.join('|')})$`);

export interface LocalStorage extends MediaStorage {
  readonly name: 'local';
  readonly dir: string;
  /** Absolute path of a key, or undefined when the key is not a well-formed local key. */
  pathOf(key: string): string | undefined;
}

const isMissing = (err: unknown): boolean =>
  typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'ENOENT';

export async function createLocalStorage(options: { dir: string; publicUrl: string }): Promise<LocalStorage> {
  const dir = path.resolve(options.dir);
  await fs.mkdir(dir, { recursive: true });
  const publicUrl = options.publicUrl.replace(/\/+$/, '');
  const pathOf = (key: string): string | undefined =>
    LOCAL_KEY_PATTERN.test(key) ? path.join(dir, key) : undefined;

  return {
    name: 'local',
    dir,
    pathOf,
    async put({ data, type }: PutInput): Promise<StoredObject> {
      const key = `${randomBytes(16).toString('hex')}.${type.ext}`;
      try {
        // 'wx': never overwrite, even on a (practically impossible) name collision.
        await fs.writeFile(path.join(dir, key), data, { flag: 'wx', mode: 0o640 });
      } catch (err) {
        throw new UpstreamError('Storage unavailable', { cause: err });
      }
      return { key, url: `${publicUrl}/${key}` };
    },
    async remove({ key }): Promise<void> {
      const file = pathOf(key);
      if (!file) return;
      try {
        await fs.unlink(file);
      } catch (err) {
        if (!isMissing(err)) throw err;
      }
    },
  };
}
