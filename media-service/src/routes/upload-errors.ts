import multer from 'multer';
import { type AppError, PayloadTooLargeError, ValidationError, type ErrorMapper } from '@social/common/http';

const limitErrors: Partial<Record<multer.ErrorCode, () => AppError>> = {
  LIMIT_FILE_SIZE: () => new PayloadTooLargeError('File too large'),
  LIMIT_PART_COUNT: () => new PayloadTooLargeError('Too many parts in the upload'),
};

/** Multer's own errors: a limit is 413, anything else it refuses (another field, a second file) is 400. */
export const uploadErrors: ErrorMapper = (err) => {
  if (!(err instanceof multer.MulterError)) return undefined;
  return (
    limitErrors[err.code]?.() ??
    new ValidationError('Invalid upload', [{ path: err.field ?? 'file', reason: err.message }])
  );
};
