export interface AuthUser {
  id: string;
  username: string;
  /** The token's id, for logs and revocation lists. */
  tokenId: string;
}
