import { counter, type Registry } from '@social/common/metrics';

/** media-service's own series, next to the HTTP and event metrics every service has. */
export interface MediaMetrics {
  /** A stored and recorded upload, by storage driver. */
  uploaded(storage: string): void;
  /** Media removed after post.deleted or user.deleted. */
  deleted(count: number): void;
}

export function createMediaMetrics(registry: Registry): MediaMetrics {
  const uploads = counter(registry, {
    name: 'media_uploads_total',
    help: 'Media stored and recorded, by storage driver',
    labelNames: ['storage'] as const,
  });
  const deleted = counter(registry, {
    name: 'media_deleted_total',
    help: 'Media removed from storage and MongoDB after post.deleted or user.deleted',
  });
  return {
    uploaded: (storage) => uploads.inc({ storage }),
    deleted: (count) => deleted.inc(count),
  };
}
