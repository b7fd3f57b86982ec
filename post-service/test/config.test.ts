import { ConfigError } from '@social/common/config';
import { loadPostConfig } from '../src/config';

const required = {
  MONGO_URI: 'mongodb://127.0.0.1:27017/posts',
  JWT_SECRET: 'a-secret-that-is-at-least-32-characters-long',
};

describe('loadPostConfig', () => {
  test('when only the required variables are set, then the documented defaults apply', () => {
    const config = loadPostConfig(required);

    expect(config).toMatchObject({
      PORT: 3002,
      CACHE_ENABLED: true,
      POST_CACHE_TTL_SECONDS: 3600,
      POST_LIST_CACHE_TTL_SECONDS: 300,
      AUTHOR_CACHE_TTL_MS: 5000,
      OUTBOX_INTERVAL_MS: 1000,
      OUTBOX_BATCH_SIZE: 100,
      OUTBOX_CLAIM_TTL_MS: 15000,
      EVENTS_PUBLISH_TIMEOUT_MS: 5000,
      EVENTS_EXCHANGE: 'facebook_events',
      REDIS_URL: 'redis://127.0.0.1:6379',
      MEDIA_SERVICE_URL: 'http://127.0.0.1:3003',
      MEDIA_SERVICE_TIMEOUT_MS: 3000,
    });
  });

  test('when the outbox lease is not longer than two publish timeouts, then the start is refused', () => {
    const load = () =>
      loadPostConfig({ ...required, EVENTS_PUBLISH_TIMEOUT_MS: '5000', OUTBOX_CLAIM_TTL_MS: '10000' });

    expect(load).toThrow(/OUTBOX_CLAIM_TTL_MS/);
    expect(loadPostConfig({ ...required, OUTBOX_CLAIM_TTL_MS: '10001' }).OUTBOX_CLAIM_TTL_MS).toBe(10001);
  });

  test('when AUTHOR_CACHE_TTL_MS is over a minute or negative, then the start is refused; 0 turns it off', () => {
    expect(() => loadPostConfig({ ...required, AUTHOR_CACHE_TTL_MS: '60001' })).toThrow(
      /AUTHOR_CACHE_TTL_MS/,
    );
    expect(() => loadPostConfig({ ...required, AUTHOR_CACHE_TTL_MS: '-1' })).toThrow(/AUTHOR_CACHE_TTL_MS/);
    expect(loadPostConfig({ ...required, AUTHOR_CACHE_TTL_MS: '0' }).AUTHOR_CACHE_TTL_MS).toBe(0);
  });

  test('when CACHE_ENABLED=false, then caching is off', () => {
    expect(loadPostConfig({ ...required, CACHE_ENABLED: 'false' }).CACHE_ENABLED).toBe(false);
  });

  test('when several variables are wrong, then all are reported at once without their values', () => {
    const load = () => loadPostConfig({ JWT_SECRET: 'short-secret-value', OUTBOX_INTERVAL_MS: '5' });

    expect(load).toThrow(ConfigError);
    try {
      load();
    } catch (err) {
      const problems = (err as ConfigError).problems.join('\n');
      expect(problems).toMatch(/MONGO_URI/);
      expect(problems).toMatch(/JWT_SECRET/);
      expect(problems).toMatch(/OUTBOX_INTERVAL_MS/);
      expect(problems).not.toContain('short-secret-value');
    }
  });
});
