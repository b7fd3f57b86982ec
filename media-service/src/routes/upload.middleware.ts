import type { RequestHandler } from 'express';
import multer from 'multer';
import { UnsupportedMediaTypeError, ValidationError } from '@social/common/http';

/**
 * Exactly one file part named `file`, nothing else. Multer's limits and refusals reach the error handler as
 * MulterErrors (`uploadErrors`: too large → 413; another field, a text field or a second file → 400). Whatever
 * else the multipart parser throws is a malformed request (no boundary, a truncated body, oversized or
 * broken part headers), so it is a 400 here, never a 500.
 */
export function singleFileUpload(maxBytes: number): RequestHandler {
  const upload = multer({
    // Kept in memory: the type check needs the first bytes, and both drivers stream from the buffer.
    storage: multer.memoryStorage(),
    limits: { fileSize: maxBytes, files: 1, fields: 0, parts: 2, headerPairs: 100, fieldNameSize: 100 },
  }).single('file');
  return (req, res, next) => {
    // The multipart parser reads raw bytes: a compressed body would be parsed as garbage.
    const encoding = req.headers['content-encoding']?.trim().toLowerCase();
    if (encoding && encoding !== 'identity') {
      next(new UnsupportedMediaTypeError('Uploads must not be content-encoded'));
      return;
    }
    if (!req.is('multipart/form-data')) {
      next(new UnsupportedMediaTypeError('Content-Type must be multipart/form-data'));
      return;
    }
    upload(req, res, (err: unknown) => {
      if (err === undefined || err instanceof multer.MulterError) next(err);
      else next(new ValidationError('Malformed multipart body', [{ path: 'body', reason: describe(err) }]));
    });
  };
}

// busboy's messages name the problem ("Unexpected end of form", "Multipart: Boundary not found") without
// echoing client data; anything longer is cut so a hostile header cannot travel back in the answer.
const describe = (err: unknown): string =>
  (err instanceof Error ? err.message : 'unreadable multipart body').slice(0, 100);
