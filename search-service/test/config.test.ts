import os from 'node:os';
import { ConfigError, loadConfig } from '@social/common/config';
import { searchConfigSchema, type SearchConfig } from '../src/config';

// A folder without .env files, so a developer's local .env cannot change the outcome.
const loadSearchConfig = (env: NodeJS.ProcessEnv): SearchConfig =>
  loadConfig<SearchConfig>(searchConfigSchema, { serviceDir: os.tmpdir(), rootDir: os.tmpdir(), env });

const required = {
  MONGO_URI: 'mongodb://127.0.0.1:27017/search',
  JWT_SECRET: 'a-secret-that-is-at-least-32-characters-long',
};

describe('search-service config', () => {
  test('when only the required variables are set, then the documented defaults apply', () => {
    // Act
    const config = loadSearchConfig({ ...required });
    // Assert
    expect(config).toMatchObject({
      PORT: 3004,
      SEARCH_EVENTS_QUEUE: 'search-service.post-events',
      SEARCH_EVENTS_PREFETCH: 10,
      SEARCH_TOMBSTONE_TTL_SECONDS: 86_400,
      EVENTS_EXCHANGE: 'facebook_events',
      EVENTS_MAX_ATTEMPTS: 5,
      EVENTS_RETRY_BACKOFF_MS: [1000, 5000, 15000, 30000],
    });
  });

  test('when values are set, then they win over the defaults and are converted', () => {
    // Act
    const config = loadSearchConfig({
      ...required,
      PORT: '4100',
      SEARCH_EVENTS_QUEUE: 'search-service.post-events.blue',
      SEARCH_TOMBSTONE_TTL_SECONDS: '3600',
    });
    // Assert
    expect(config).toMatchObject({
      PORT: 4100,
      SEARCH_EVENTS_QUEUE: 'search-service.post-events.blue',
      SEARCH_TOMBSTONE_TTL_SECONDS: 3600,
    });
  });

  test('when several variables are wrong, then every problem is reported at once without values', () => {
    // Act
    const load = () =>
      loadSearchConfig({ JWT_SECRET: 'short-secret-value', SEARCH_TOMBSTONE_TTL_SECONDS: '5', PORT: 'x' });
    // Assert
    expect(load).toThrow(ConfigError);
    try {
      load();
    } catch (err) {
      const { problems, message } = err as ConfigError;
      expect(problems.join('\n')).toMatch(/MONGO_URI/);
      expect(problems.join('\n')).toMatch(/JWT_SECRET/);
      expect(problems.join('\n')).toMatch(/SEARCH_TOMBSTONE_TTL_SECONDS/);
      expect(problems.join('\n')).toMatch(/PORT/);
      expect(message).not.toContain('short-secret-value');
    }
  });
});
