import { Router } from 'express';
import Joi from 'joi';
import { USERNAME_MAX_LENGTH, USERNAME_MIN_LENGTH, USERNAME_PATTERN } from '@social/common/events';
import { jsonBody, validate } from '@social/common/http';
import type { IdentityDomainDeps } from '../domain/deps';
import type { AuthRateLimits } from './auth-rate-limit';
import { loginUser, type LoginUserCommand } from '../domain/login-user';
import { registerUser, type RegisterUserCommand } from '../domain/register-user';
import { revokeTokenFamily } from '../domain/revoke-token-family';
import { rotateRefreshToken } from '../domain/rotate-refresh-token';

const email = Joi.string().trim().lowercase().email().max(254).required();

const registerInput = validate({
  body: Joi.object<RegisterUserCommand, true>({
    username: Joi.string()
      .pattern(USERNAME_PATTERN, 'letters, digits, _ . -')
      .min(USERNAME_MIN_LENGTH)
      .max(USERNAME_MAX_LENGTH)
      .required(),
    email,
    // Never trimmed or otherwise changed: the password is exactly what the user typed.
    password: Joi.string().min(8).max(128).required(),
  }),
});

const loginInput = validate({
  body: Joi.object<LoginUserCommand, true>({
    email,
    // Login accepts what register could have stored; the upper bound keeps argon2 input bounded.
    password: Joi.string().min(1).max(128).required(),
  }),
});

const refreshTokenInput = validate({
  body: Joi.object<{ refreshToken: string }, true>({ refreshToken: Joi.string().min(1).max(512).required() }),
});

export interface AuthRoutesDeps extends IdentityDomainDeps {
  jsonBodyLimit: string;
  rateLimits: AuthRateLimits;
}

/**
 * Every body here is read by body-parser (the gateway streams them untouched): bad JSON, a corrupt or unknown
 * Content-Encoding, an unknown charset, a wrong Content-Type or an oversized body end as 400/413/415 JSON.
 * Login and register, the argon2 routes, then pass the per-email limit and the per-IP budget, in that order,
 * and only with a well-formed body: a rejected shape costs no argon2 and counts against neither.
 */
export function authRoutes(deps: AuthRoutesDeps): Router {
  const router = Router();
  const { perEmail, perIp } = deps.rateLimits;
  router.use(jsonBody(deps.jsonBodyLimit));

  router.post('/register', registerInput, perEmail, perIp, async (req, res) => {
    const result = await registerUser(deps, {
      ...registerInput.input(res).body,
      correlationId: req.requestId,
    });
    res.status(201).json({ success: true, ...result });
  });

  router.post('/login', loginInput, perEmail, perIp, async (_req, res) => {
    const result = await loginUser(deps, loginInput.input(res).body);
    res.json({ success: true, ...result });
  });

  router.post('/refresh-token', refreshTokenInput, async (_req, res) => {
    const tokens = await rotateRefreshToken(deps, refreshTokenInput.input(res).body);
    res.json({ success: true, ...tokens });
  });

  router.post('/logout', refreshTokenInput, async (_req, res) => {
    await revokeTokenFamily(deps, refreshTokenInput.input(res).body);
    res.json({ success: true, message: 'Logged out' });
  });

  return router;
}
