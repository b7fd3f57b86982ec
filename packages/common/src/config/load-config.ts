import fs from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';
import type Joi from 'joi';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface LoadConfigOptions {
  /** The service folder: its `.env` wins over the root `.env`, and real environment variables over both. */
  serviceDir: string;
  /** Folder of the repository-level `.env`; defaults to the service folder's parent. */
  rootDir?: string;
  env?: NodeJS.ProcessEnv;
}

const readEnvFile = (file: string): Record<string, string> =>
  fs.existsSync(file) ? dotenv.parse(fs.readFileSync(file)) : {};

// `FOO=` in a .env file or `${FOO:-}` in compose means "not set": the default applies, not an empty value.
const withoutEmpty = (env: Record<string, string | undefined>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(env).filter(
      (entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '',
    ),
  );

/**
 * Validates the environment once, at start. Every problem is reported together, and only variable names and
 * rules appear in the message, never a value (a secret must not reach a log because it was malformed).
 */
export function loadConfig<T>(schema: Joi.ObjectSchema, options: LoadConfigOptions): T {
  const rootDir = options.rootDir ?? path.resolve(options.serviceDir, '..');
  const merged = withoutEmpty({
    ...readEnvFile(path.join(rootDir, '.env')),
    ...readEnvFile(path.join(options.serviceDir, '.env')),
    ...(options.env ?? process.env),
  });
  const { value, error } = schema.validate(merged, {
    abortEarly: false,
    allowUnknown: true,
    stripUnknown: true,
    convert: true,
    errors: { wrap: { label: false } },
    // joi's default pattern messages quote the offending value; these do not.
    messages: {
      'string.pattern.base': '{#label} does not match the required pattern',
      'string.pattern.name': '{#label} does not match the {#name} pattern',
    },
  });
  if (error) throw new ConfigError(error.details.map((d) => d.message));
  return value as T;
}
