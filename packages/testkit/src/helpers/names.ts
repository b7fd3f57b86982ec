import { randomBytes, randomUUID } from 'node:crypto';

/** A name no other test run uses: for exchanges, queues, key prefixes, databases and collections. */
export const uniqueName = (prefix: string): string =>
  `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 12)}`;

/** A fresh id in the form every API and event uses for MongoDB ObjectIds: 24 lowercase hex characters. */
export const newObjectId = (): string => randomBytes(12).toString('hex');
