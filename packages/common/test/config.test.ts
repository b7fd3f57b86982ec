import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Joi from 'joi';
import {
  ConfigError,
  baseConfigKeys,
  jwtConfigKeys,
  loadConfig,
  mongoConfigKeys,
  rabbitConfigKeys,
} from '../src/config';

const schema = Joi.object({
  ...baseConfigKeys,
  ...mongoConfigKeys,
  ...jwtConfigKeys,
  PORT: Joi.number().port().default(3002),
});
const serviceDir = path.join(__dirname, 'no-such-service');

describe('loadConfig', () => {
  test('when the environment is valid, then values are converted and defaults applied', () => {
    const config = loadConfig<{ PORT: number; LOG_LEVEL: string }>(schema, {
      serviceDir,
      env: { MONGO_URI: 'mongodb://localhost/x', JWT_SECRET: 'k'.repeat(32), PORT: '4000' },
    });
    expect(config).toMatchObject({ PORT: 4000, LOG_LEVEL: 'info', JWT_ISSUER: 'social-identity' });
  });

  test('when several variables are missing or invalid, then one error lists them all without values', () => {
    const secret = 'short-secret-value';
    const load = () =>
      loadConfig(schema, { serviceDir, env: { JWT_SECRET: secret, PORT: 'abc', LOG_LEVEL: 'loud' } });
    expect(load).toThrow(ConfigError);
    try {
      load();
    } catch (err) {
      const problems = (err as ConfigError).problems;
      expect(problems).toHaveLength(4);
      expect(problems.join('\n')).toMatch(/MONGO_URI[\s\S]*JWT_SECRET|JWT_SECRET[\s\S]*MONGO_URI/);
      expect((err as Error).message).not.toContain(secret);
    }
  });
});

describe('loadConfig with empty values', () => {
  test('when a variable is set but empty, then it counts as unset and its default applies', () => {
    const config = loadConfig<{ LOG_LEVEL: string }>(schema, {
      serviceDir,
      env: { MONGO_URI: 'mongodb://localhost/x', JWT_SECRET: 'k'.repeat(32), LOG_LEVEL: '' },
    });
    expect(config.LOG_LEVEL).toBe('info');
  });
});

const problemsOf = (load: () => unknown): string[] => {
  try {
    load();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
};

describe('loadConfig with <NAME>_FILE', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'config-file-'));
  const secretFile = path.join(dir, 'jwt_secret');
  fs.writeFileSync(secretFile, `${'s'.repeat(40)}\n`);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('when JWT_SECRET_FILE names a file, then its content without the final newline is the secret', () => {
    const config = loadConfig<{ JWT_SECRET: string }>(schema, {
      serviceDir,
      env: { MONGO_URI: 'mongodb://localhost/x', JWT_SECRET_FILE: secretFile },
    });
    expect(config.JWT_SECRET).toBe('s'.repeat(40));
    expect(config).not.toHaveProperty('JWT_SECRET_FILE');
  });

  test('when both JWT_SECRET and JWT_SECRET_FILE are set, then it refuses to guess', () => {
    const problems = problemsOf(() =>
      loadConfig(schema, {
        serviceDir,
        env: { MONGO_URI: 'mongodb://localhost/x', JWT_SECRET: 'k'.repeat(32), JWT_SECRET_FILE: secretFile },
      }),
    );
    expect(problems).toEqual(['set JWT_SECRET or JWT_SECRET_FILE, not both']);
  });

  test('when the file cannot be read, then the problem names the variable and the reason only', () => {
    const problems = problemsOf(() =>
      loadConfig(schema, {
        serviceDir,
        env: { MONGO_URI: 'mongodb://localhost/x', JWT_SECRET_FILE: path.join(dir, 'missing') },
      }),
    );
    expect(problems).toEqual([
      'JWT_SECRET_FILE names a file that cannot be read (ENOENT)',
      'JWT_SECRET is required',
    ]);
  });
});

describe('loadConfig in production', () => {
  const prodSchema = Joi.object({ ...baseConfigKeys, ...jwtConfigKeys, ...rabbitConfigKeys });
  const ownSecret = 'a-secret-nobody-has-read-anywhere-0123456789';
  const load = (env: Record<string, string>) => () =>
    loadConfig(prodSchema, {
      serviceDir,
      env: { NODE_ENV: 'production', RABBITMQ_URL: 'amqp://social:own-broker-password@mq:5672', ...env },
    });

  test('when the secrets are the operator’s own, then it starts', () => {
    expect(problemsOf(load({ JWT_SECRET: ownSecret }))).toEqual([]);
  });

  test.each([
    'dev-only-jwt-secret-change-me-please-0123456789', // .env.example
  ])('when JWT_SECRET is the published %s, then it refuses with a clear message', (secret) => {
    const problems = problemsOf(load({ JWT_SECRET: secret }));
    expect(problems).toEqual([
      'JWT_SECRET is a value published in this repository: set your own secret in production',
    ]);
    expect(problems.join()).not.toContain(secret);
  });

  test('when JWT_SECRET is shorter than 32 characters, then it refuses', () => {
    expect(problemsOf(load({ JWT_SECRET: 'short' }))).toEqual([
      'JWT_SECRET length must be at least 32 characters long',
    ]);
  });

  test.each([
    ['guest', 'amqp://guest:guest@mq:5672'],
    ['the published compose password', 'amqp://social:social-dev-password@rabbitmq:5672'],
    ['no password', 'amqp://10.0.0.7:5672'],
  ])('when RABBITMQ_URL has %s for a broker on the network, then it refuses', (_case, url) => {
    expect(problemsOf(load({ JWT_SECRET: ownSecret, RABBITMQ_URL: url }))).toEqual([
      'RABBITMQ_URL has no password, guest, or a password published in this repository, for a broker on the network',
    ]);
  });

  test.each(['amqp://guest:guest@127.0.0.1:5672', 'amqp://guest:guest@localhost', 'amqp://[::1]:5672'])(
    'when RABBITMQ_URL is %s (RabbitMQ admits guest from the same host only), then it starts',
    (url) => {
      expect(problemsOf(load({ JWT_SECRET: ownSecret, RABBITMQ_URL: url }))).toEqual([]);
    },
  );

  test('when RABBITMQ_URL is unset, then production does not fall back to guest on localhost', () => {
    const problems = problemsOf(() =>
      loadConfig(prodSchema, { serviceDir, env: { NODE_ENV: 'production', JWT_SECRET: ownSecret } }),
    );
    expect(problems).toEqual(['RABBITMQ_URL is required']);
  });

  test('when not in production, then the documented local values still work', () => {
    const config = loadConfig<{ RABBITMQ_URL: string }>(prodSchema, {
      serviceDir,
      env: { NODE_ENV: 'development', JWT_SECRET: 'dev-only-jwt-secret-change-me-please-0123456789' },
    });
    expect(config.RABBITMQ_URL).toBe('amqp://guest:guest@127.0.0.1:5672');
  });
});
