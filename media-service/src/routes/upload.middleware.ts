import type { RequestHandler } from 'express';
import multer from 'multer';

/**
 * Exactly one file part named `file`, nothing else. Multer's own errors reach the common error handler:
 * too large → 413; another field name, a text field or a second file → 400.
 */
export function singleFileUpload(maxBytes: number): RequestHandler {
  return multer({
    // Kept in memory: the type check needs the first bytes, and both drivers stream from the buffer.
    storage: multer.memoryStorage(),
    limits: { fileSize: maxBytes, files: 1, fields: 0, parts: 2, headerPairs: 100 },
  }).single('file');
}
