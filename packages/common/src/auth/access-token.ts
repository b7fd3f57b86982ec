import { createSecretKey, randomUUID, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { JwtConfig } from '../config';
import { UnauthorizedError } from '../http/errors';
import type { AuthUser } from '../http/auth-user';

export type TokenConfig = Pick<
  JwtConfig,
  'JWT_SECRET' | 'JWT_ISSUER' | 'JWT_AUDIENCE' | 'JWT_ACCESS_TTL_SECONDS'
>;

const ALGORITHM = 'HS256';

export interface SignedAccessToken {
  accessToken: string;
  /** Lifetime in seconds, as OAuth's `expires_in`. */
  expiresIn: number;
}

export function signAccessToken(
  config: TokenConfig,
  user: { id: string; username: string },
): SignedAccessToken {
  const accessToken = jwt.sign({ username: user.username }, config.JWT_SECRET, {
    algorithm: ALGORITHM,
    subject: user.id,
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    expiresIn: config.JWT_ACCESS_TTL_SECONDS,
    jwtid: randomUUID(),
  });
  return { accessToken, expiresIn: config.JWT_ACCESS_TTL_SECONDS };
}

const isClaims = (p: unknown): p is { sub: string; username: string; jti: string } =>
  typeof p === 'object' &&
  p !== null &&
  typeof (p as Record<string, unknown>).sub === 'string' &&
  typeof (p as Record<string, unknown>).username === 'string' &&
  typeof (p as Record<string, unknown>).jti === 'string';

// jsonwebtoken turns a string secret into a key on every verify, trying createPublicKey first and catching
// its failure: 19% of the gateway's CPU under the cached-GET bench. One KeyObject per secret avoids both.
const secretKeys = new Map<string, KeyObject>();
const secretKey = (secret: string): KeyObject => {
  let key = secretKeys.get(secret);
  if (!key) {
    key = createSecretKey(Buffer.from(secret, 'utf8'));
    secretKeys.set(secret, key);
  }
  return key;
};

// A token that verified, until it expires: a client sends the same token with every request, and jsonwebtoken
// checks the HMAC and parses the JSON again each time (5% of the gateway's busy time). The key is the whole token,
// signature included, so only the very same bytes hit; one map per config (secret, issuer, audience); bounded.
const VERIFIED_MAX = 10_000;
const verifiedTokens = new WeakMap<TokenConfig, Map<string, { user: AuthUser; expiresAtMs: number }>>();

const rememberedUser = (config: TokenConfig, token: string): AuthUser | undefined => {
  const hit = verifiedTokens.get(config)?.get(token);
  // jsonwebtoken's own test: expired once the current second reaches `exp`.
  if (!hit || Math.floor(Date.now() / 1000) * 1000 >= hit.expiresAtMs) return undefined;
  return { ...hit.user };
};

const remember = (
  config: TokenConfig,
  token: string,
  user: AuthUser,
  payload: Record<string, unknown>,
): void => {
  // Only plain tokens: an `nbf` would need its own check on every use.
  if (typeof payload.exp !== 'number' || payload.nbf !== undefined) return;
  let tokens = verifiedTokens.get(config);
  if (!tokens) {
    tokens = new Map();
    verifiedTokens.set(config, tokens);
  }
  if (tokens.size >= VERIFIED_MAX) tokens.clear();
  tokens.set(token, { user: { ...user }, expiresAtMs: payload.exp * 1000 });
};

/** Verifies signature, algorithm (pinned: `alg: none` and RS/HS confusion fail), issuer, audience and expiry. */
export function verifyAccessToken(config: TokenConfig, token: string): AuthUser {
  const known = rememberedUser(config, token);
  if (known) return known;
  let payload: unknown;
  try {
    payload = jwt.verify(token, secretKey(config.JWT_SECRET), {
      algorithms: [ALGORITHM],
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
    });
  } catch (err) {
    const message = err instanceof jwt.TokenExpiredError ? 'Access token expired' : 'Invalid access token';
    throw new UnauthorizedError(message, { invalidToken: true });
  }
  if (!isClaims(payload)) throw new UnauthorizedError('Invalid access token', { invalidToken: true });
  const user = { id: payload.sub, username: payload.username, tokenId: payload.jti };
  remember(config, token, user, payload);
  return user;
}

/** The token of an `Authorization: Bearer <token>` header, undefined when absent, or throws when malformed. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined || header === '') return undefined;
  const match = /^Bearer ([\w-]+\.[\w-]+\.[\w-]*)$/i.exec(header.trim());
  if (!match?.[1]) throw new UnauthorizedError('Malformed Authorization header', { invalidToken: true });
  return match[1];
}
