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

const FILE_SUFFIX = '_FILE';

/**
 * The `_FILE` convention of the official images: `JWT_SECRET_FILE=/run/secrets/jwt` sets JWT_SECRET to that
 * file's content (one trailing newline dropped), so secrets can come from mounted files instead of the
 * environment. Works for every variable the schema knows; setting both forms is a mistake, not a precedence.
 */
function readFileVariables(
  env: Record<string, string>,
  knownKeys: ReadonlySet<string>,
): { env: Record<string, string>; problems: string[] } {
  const resolved = { ...env };
  const problems: string[] = [];
  for (const [name, file] of Object.entries(env)) {
    const key = name.slice(0, -FILE_SUFFIX.length);
    if (!name.endsWith(FILE_SUFFIX) || !knownKeys.has(key)) continue;
    delete resolved[name];
    if (env[key] !== undefined) {
      problems.push(`set ${key} or ${name}, not both`);
      continue;
    }
    try {
      resolved[key] = fs.readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      problems.push(
        `${name} names a file that cannot be read (${typeof code === 'string' ? code : 'error'})`,
      );
    }
  }
  return { env: resolved, problems };
}

/**
 * Validates the environment once, at start. Every problem is reported together, and only variable names and
 * rules appear in the message, never a value (a secret must not reach a log because it was malformed).
 */
export function loadConfig<T>(schema: Joi.ObjectSchema<T>, options: LoadConfigOptions): T {
  const rootDir = options.rootDir ?? path.resolve(options.serviceDir, '..');
  const knownKeys = new Set(Object.keys(schema.describe().keys ?? {}));
  const { env, problems } = readFileVariables(
    withoutEmpty({
      ...readEnvFile(path.join(rootDir, '.env')),
      ...readEnvFile(path.join(options.serviceDir, '.env')),
      ...(options.env ?? process.env),
    }),
    knownKeys,
  );
  const { value, error } = schema.validate(env, {
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
  const all = [...problems, ...(error?.details.map((d) => d.message) ?? [])];
  if (all.length > 0) throw new ConfigError(all);
  return value;
}
