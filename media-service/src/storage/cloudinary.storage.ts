import type { Agent } from 'node:https';
import { v2 as cloudinary, type UploadApiOptions } from 'cloudinary';
import { UpstreamError } from '@social/common/http';
import type { CloudinaryCredentials } from '../config';
import type { MediaStorage, PutInput, StoredObject } from './media-storage';

export interface CloudinaryStorageOptions {
  credentials: CloudinaryCredentials;
  folder?: string;
  timeoutMs: number;
  /** API base URL; only an emulator in tests changes it. The SDK speaks HTTPS only. */
  uploadPrefix?: string;
  /** e.g. an agent trusting a test CA. */
  agent?: Agent;
}

interface CloudinaryUploadResult {
  public_id: string;
  secure_url: string;
}

const isUploadResult = (value: unknown): value is CloudinaryUploadResult =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { public_id?: unknown }).public_id === 'string' &&
  typeof (value as { secure_url?: unknown }).secure_url === 'string';

/** The SDK reports failures as plain objects `{ message, http_code }`; keep them as the cause. */
const sdkFailure = (what: string, err: unknown): UpstreamError =>
  new UpstreamError('Storage unavailable', {
    cause: err instanceof Error ? err : new Error(`cloudinary ${what} failed`, { cause: err }),
  });

/**
 * Cloudinary through the official SDK. Credentials go with every call instead of the SDK's process-wide
 * config, so two instances (or tests) never share state.
 */
export function createCloudinaryStorage(options: CloudinaryStorageOptions): MediaStorage {
  const { cloudName, apiKey, apiSecret } = options.credentials;
  const callOptions = {
    cloud_name: cloudName,
    api_key: apiKey,
    api_secret: apiSecret,
    timeout: options.timeoutMs,
    ...(options.uploadPrefix ? { upload_prefix: options.uploadPrefix } : {}),
    ...(options.agent ? { agent: options.agent } : {}),
  };

  return {
    name: 'cloudinary',
    put({ data, type }: PutInput): Promise<StoredObject> {
      const uploadOptions: UploadApiOptions = {
        ...callOptions,
        resource_type: type.kind,
        ...(options.folder ? { folder: options.folder } : {}),
      };
      return new Promise((resolve, reject) => {
        // Streamed straight from memory to the API: no temporary file.
        const stream = cloudinary.uploader.upload_stream(uploadOptions, (err, result) => {
          if (err || !isUploadResult(result)) reject(sdkFailure('upload', err ?? result));
          else resolve({ key: result.public_id, url: result.secure_url });
        });
        stream.end(data);
      });
    },
    async remove({ key, kind }): Promise<void> {
      let result: unknown;
      try {
        result = await cloudinary.uploader.destroy(key, {
          ...callOptions,
          resource_type: kind,
          invalidate: true,
        });
      } catch (err) {
        throw sdkFailure('destroy', err);
      }
      const outcome = (result as { result?: unknown } | undefined)?.result;
      // "not found" is success for us: a redelivered delete finds the asset already gone.
      if (outcome !== 'ok' && outcome !== 'not found') throw sdkFailure('destroy', result);
    },
  };
}
