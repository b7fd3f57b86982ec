import { randomUUID } from 'node:crypto';
import { signAccessToken, type TokenConfig } from '@social/common/auth';
import { newObjectId } from './names';

/** JWT settings every test shares; services under test get the same values through their config object. */
export const testJwtConfig: TokenConfig = {
  JWT_SECRET: 'test-secret-that-is-at-least-32-characters-long',
  JWT_ISSUER: 'social-identity',
  JWT_AUDIENCE: 'social-api',
  JWT_ACCESS_TTL_SECONDS: 900,
};

export interface TestUser {
  id: string;
  username: string;
  token: string;
  /** Spread into supertest: `.set(alice.auth)`. */
  auth: { Authorization: string };
}

/** A user with a fresh 24-hex id and a real signed access token. */
export function createTestUser(
  config: TokenConfig = testJwtConfig,
  username = `user_${randomUUID().slice(0, 8)}`,
): TestUser {
  const id = newObjectId();
  const { accessToken } = signAccessToken(config, { id, username });
  return { id, username, token: accessToken, auth: { Authorization: `Bearer ${accessToken}` } };
}
