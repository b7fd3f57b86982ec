import type { AuthUser } from './auth-user';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- Express types are extended by merging this namespace
  namespace Express {
    interface Request {
      /** Set by requestContext() before any route runs. */
      requestId: string;
      /** Set by requireAuth() from a verified access token; never from client headers. */
      user?: AuthUser;
    }
  }
}

export {};
