import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';
import type { PasswordHasher } from '../domain/password-hasher';

export interface Argon2Params {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
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
