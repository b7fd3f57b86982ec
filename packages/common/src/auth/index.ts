export type { AuthUser } from './auth-user';
export {
  signAccessToken,
  verifyAccessToken,
  bearerToken,
  type TokenConfig,
  type SignedAccessToken,
} from './access-token';
export { requireAuth } from './require-auth';
