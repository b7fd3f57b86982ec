/** How the use cases check and store passwords; `security/argon2-password-hasher.ts` is the implementation. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(passwordHash: string, password: string): Promise<boolean>;
  /**
   * Spends the same work as a real check and returns false: used for unknown emails, so response time does
   * not reveal which accounts exist.
   */
  verifyAgainstDummy(password: string): Promise<false>;
  /** True when a stored hash was made with other parameters than the current ones (rehash on next login). */
  needsRehash(passwordHash: string): boolean;
}
