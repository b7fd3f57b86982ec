import { randomUUID } from 'node:crypto';
import { uniqueName } from './names';

export interface RegisterInput {
  username: string;
  email: string;
  password: string;
}

/** A register body no other test uses, valid for POST /v1/auth/register; overrides set what a test is about. */
export function buildRegisterInput(overrides: Partial<RegisterInput> = {}): RegisterInput {
  const username = uniqueName('user');
  return { username, email: `${username}@example.com`, password: `pw-${randomUUID()}`, ...overrides };
}
