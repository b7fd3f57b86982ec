import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';

export interface Argon2Params {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(passwordHash: string, password: string): Promise<boolean>;
  /**
   * Spends the same argon2 work as a real check and returns false: used for unknown emails, so response
   * time does not reveal which accounts exist.
   */
  verifyAgainstDummy(password: string): Promise<false>;
  /** True when a stored hash was made with other parameters than the current ones (rehash on next login). */
  needsRehash(passwordHash: string): boolean;
}

export function createPasswordHasher(params: Argon2Params): PasswordHasher {
  const options = { type: argon2.argon2id, ...params } as const;
  let dummyHash: Promise<string> | undefined;
  const hash = (password: string): Promise<string> => argon2.hash(password, options);
  const verify = async (passwordHash: string, password: string): Promise<boolean> => {
    try {
      return await argon2.verify(passwordHash, password);
    } catch {
      return false; // a malformed stored hash must never let anyone in
    }
  };
  return {
    hash,
    verify,
    async verifyAgainstDummy(password) {
      dummyHash ??= hash(randomBytes(32).toString('base64url'));
      await verify(await dummyHash, password);
      return false;
    },
    needsRehash: (passwordHash) => argon2.needsRehash(passwordHash, params),
  };
}
