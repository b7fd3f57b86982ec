export type { AuthUser } from '../http/auth-user';
export {
  signAccessToken,
  verifyAccessToken,
  bearerToken,
  type TokenConfig,
  type SignedAccessToken,
} from './access-token';
export { requireAuth, userOf } from './require-auth';
