import '../http/express-augment';
import type { Request, RequestHandler } from 'express';
import { UnauthorizedError } from '../http/errors';
import { updateContext } from '../logger';
import { bearerToken, verifyAccessToken, type TokenConfig } from './access-token';
import type { AuthUser } from '../http/auth-user';

/**
 * Sets `req.user` from a verified access token or answers 401. The identity comes only from the token:
 * a client-sent `x-user-id` is never read.
 */
export function requireAuth(
  config: TokenConfig,
  options: {
    /**
     * The user this request's token was already verified as, earlier in the same request (the gateway verifies it
     * once, ahead of its limiters); undefined: verify here.
     */
    verifiedEarlier?: (req: Request) => AuthUser | undefined;
  } = {},
): RequestHandler {
  return (req, _res, next) => {
    const earlier = options.verifiedEarlier?.(req);
    if (earlier) {
      req.user = earlier;
      updateContext({ userId: earlier.id });
      next();
      return;
    }
    const token = bearerToken(req.headers.authorization);
    if (!token) throw new UnauthorizedError('Authentication required');
    req.user = verifyAccessToken(config, token);
    updateContext({ userId: req.user.id });
    next();
  };
}

/**
 * The verified caller of a route mounted behind requireAuth(). Without one the route was wired without it: a
 * bug in this service (500), never something a client can cause or should be told about.
 */
export function userOf(req: Request): AuthUser {
  if (!req.user) throw new Error(`${req.method} ${req.baseUrl}${req.path} is mounted without requireAuth()`);
  return req.user;
}
