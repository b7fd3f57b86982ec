import { Router, type Response } from 'express';
import Joi from 'joi';
import { NotFoundError, validate } from '@social/common/http';
import { findLocalFile, type LocalFile } from '../domain/find-local-file';
import type { MediaModel } from '../models/media.model';
import { LOCAL_KEY_PATTERN, type LocalStorage } from '../storage/local.storage';

const fileKeyInput = validate({
  params: Joi.object<{ key: string }, true>({
    key: Joi.string().pattern(LOCAL_KEY_PATTERN).required().messages({ '*': 'key is not a valid file key' }),
  }),
});

const isCode = (err: unknown, ...codes: string[]): boolean =>
  typeof err === 'object' && err !== null && codes.includes(String((err as { code?: unknown }).code));

const FILE_CSP =
  "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'";

function sendFile(res: Response, file: LocalFile): Promise<void> {
  // Headers given to sendFile are applied only when the file is actually sent (an error answer stays JSON),
  // and before send() would guess a type from the extension.
  const headers = {
    'Content-Type': file.mimeType,
    'X-Content-Type-Options': 'nosniff',
    // Pages on other origins (the web app) embed these; helmet's default same-origin policy would block them.
    'Cross-Origin-Resource-Policy': 'cross-origin',
    // Opened on its own, a browser shows the file in a document of its own making (an <img> or <video> of this
    // URL, with inline styles): that much is allowed, and nothing else, where the API's policy allows nothing.
    'Content-Security-Policy': FILE_CSP,
  };
  return new Promise((resolve, reject) => {
    // `root` makes send check only the key for dot segments: a storage folder such as `media-service/.media`
    // would otherwise be refused as a dotfile (403), and every file URL would answer 500.
    const options = { root: file.root, headers, dotfiles: 'deny', maxAge: '365d', immutable: true } as const;
    res.sendFile(file.key, options, (err) => {
      if (!err || isCode(err, 'ECONNABORTED', 'ECONNRESET')) resolve();
      else if (isCode(err, 'ENOENT', 'ENOTDIR')) reject(new NotFoundError('File not found'));
      else reject(err);
    });
  });
}

/** Public: files of the local driver, by their random key. The key format is checked before any lookup. */
export function filesRoutes(deps: { media: MediaModel; local: LocalStorage }): Router {
  const router = Router();
  router.get('/files/:key', fileKeyInput, async (_req, res) => {
    const { key } = fileKeyInput.input(res).params;
    const file = await findLocalFile(deps, { key });
    await sendFile(res, file);
  });
  return router;
}
