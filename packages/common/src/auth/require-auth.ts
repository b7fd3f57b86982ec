import '../http/express-augment';
import type { RequestHandler } from 'express';
import { UnauthorizedError } from '../http/errors';
import { updateContext } from '../logger';
import { bearerToken, verifyAccessToken, type TokenConfig } from './access-token';

/**
 * Sets `req.user` from a verified access token or answers 401. The identity comes only from the token:
 * a client-sent `x-user-id` is never read.
 */
export function requireAuth(config: TokenConfig): RequestHandler {
  return (req, _res, next) => {
    const token = bearerToken(req.headers.authorization);
    if (!token) throw new UnauthorizedError('Authentication required');
    req.user = verifyAccessToken(config, token);
    updateContext({ userId: req.user.id });
    next();
  };
}
