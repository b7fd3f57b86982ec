import path from 'node:path';
import Joi from 'joi';
import { ConfigError, baseConfigKeys, jwtConfigKeys, loadConfig, mongoConfigKeys } from '../src';

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
