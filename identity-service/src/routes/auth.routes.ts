import { Router, type RequestHandler } from 'express';
import Joi from 'joi';
import { jsonBody, validate } from '@social/common/http';
import type { IdentityDomainDeps } from '../domain/deps';
import { loginUser } from '../domain/login-user';
import { registerUser } from '../domain/register-user';
import { revokeTokenFamily } from '../domain/revoke-token-family';
import { rotateRefreshToken } from '../domain/rotate-refresh-token';

const email = Joi.string().trim().lowercase().email().max(254).required();

const registerBody = Joi.object({
  username: Joi.string()
    .pattern(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . -')
    .min(3)
    .max(30)
    .required(),
  email,
  // Never trimmed or otherwise changed: the password is exactly what the user typed.
  password: Joi.string().min(8).max(128).required(),
});

const loginBody = Joi.object({
  email,
  // Login accepts what register could have stored; the upper bound keeps argon2 input bounded.
  password: Joi.string().min(1).max(128).required(),
});

const refreshTokenBody = Joi.object({ refreshToken: Joi.string().min(1).max(512).required() });

export interface AuthRoutesDeps extends IdentityDomainDeps {
  jsonBodyLimit: string;
  loginLimiter: RequestHandler;
}

export function authRoutes(deps: AuthRoutesDeps): Router {
  const router = Router();
  router.use(jsonBody(deps.jsonBodyLimit));

  router.post('/register', validate({ body: registerBody }), async (req, res) => {
    const result = await registerUser(deps, req.body);
    res.status(201).json({ success: true, ...result });
  });

  router.post('/login', deps.loginLimiter, validate({ body: loginBody }), async (req, res) => {
    const result = await loginUser(deps, req.body);
    res.json({ success: true, ...result });
  });

  router.post('/refresh-token', validate({ body: refreshTokenBody }), async (req, res) => {
    const tokens = await rotateRefreshToken(deps, req.body);
    res.json({ success: true, ...tokens });
  });

  router.post('/logout', validate({ body: refreshTokenBody }), async (req, res) => {
    await revokeTokenFamily(deps, req.body);
    res.json({ success: true, message: 'Logged out' });
  });

  return router;
}
