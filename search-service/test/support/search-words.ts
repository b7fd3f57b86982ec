import { randomUUID } from 'node:crypto';

/** A word no other test uses, made of letters only so the English stemmer leaves a searchable token. */
export const uniqueWord = (): string =>
  `zq${randomUUID()
    .replace(/[^a-f]/g, '')
    .slice(0, 10)}x`;
