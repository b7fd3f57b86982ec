import { randomUUID } from 'node:crypto';

/** A name no other test run uses: for exchanges, queues, key prefixes and databases. */
export const uniqueName = (prefix: string): string =>
  `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
