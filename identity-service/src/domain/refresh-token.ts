import { createHash, randomBytes } from 'node:crypto';

/** An opaque refresh token: 32 random bytes, base64url (43 characters). */
export const newRefreshToken = (): string => randomBytes(32).toString('base64url');

/** What the database keeps instead of the token. A fast hash is enough: the input has 256 bits of entropy. */
export const hashRefreshToken = (token: string): string => createHash('sha256').update(token).digest('hex');
