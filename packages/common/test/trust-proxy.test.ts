import Joi from 'joi';
import request from 'supertest';
import { trustProxyConfigKeys, trustProxyKey, type TrustProxy } from '../src/config';
import { createServiceApp } from '../src/http';
import { createLogger } from '../src/logger';
import { createMetrics } from '../src/metrics';

const parse = (value: string | undefined, schema: Joi.ObjectSchema = Joi.object(trustProxyConfigKeys)) =>
  schema.validate(value === undefined ? {} : { TRUST_PROXY: value }, { errors: { wrap: { label: false } } });

describe('TRUST_PROXY (one syntax for the gateway and every service)', () => {
  test.each<[string, TrustProxy]>([
    ['true', true],
    ['false', false],
    ['1', 1],
    ['2', 2],
    ['loopback', 'loopback'],
    ['uniquelocal', 'uniquelocal'],
    ['loopback, 10.0.0.0/8, fc00::/7', 'loopback, 10.0.0.0/8, fc00::/7'],
    ['192.168.1.10', '192.168.1.10'],
    ['10.0.0.0/255.0.0.0', '10.0.0.0/255.0.0.0'],
  ])('when it is %s, then Express gets %p', (raw, parsed) => {
    expect(parse(raw)).toEqual({ value: { TRUST_PROXY: parsed } });
  });

  test.each(['yes', 'loopbak', '10.0.0.0/33', '300.1.1.1', '10.0.0.1/8/8', '-1'])(
    'when it is %s, then the configuration is refused with the accepted forms, not the value',
    (raw) => {
      const { error } = parse(raw);
      expect(error?.message).toBe(
        'TRUST_PROXY must be true, false, a hop count, or addresses/subnets (loopback, linklocal, uniquelocal)',
      );
    },
  );

  test('when a service leaves it unset, then only loopback is trusted; the gateway (the edge) trusts nothing', () => {
    expect(parse(undefined).value).toEqual({ TRUST_PROXY: 'loopback' });
    expect(parse(undefined, Joi.object({ TRUST_PROXY: trustProxyKey(false) })).value).toEqual({
      TRUST_PROXY: false,
    });
  });
});

describe('createServiceApp client address', () => {
  const appWith = (trustProxy?: TrustProxy) =>
    createServiceApp(
      {
        log: createLogger({ service: 'test', silent: true }),
        metrics: createMetrics('test', { defaultMetrics: false }),
        trustProxy,
      },
      (app) => {
        app.get('/ip', (req, res) => {
          res.json({ success: true, ip: req.ip });
        });
      },
    );

  test('when no trust is configured, then a loopback peer (the dev gateway) may name the client', async () => {
    const res = await request(appWith()).get('/ip').set('X-Forwarded-For', '198.51.100.7, 203.0.113.9');

    expect(res.body.ip).toBe('203.0.113.9');
  });

  test('when the peer is not trusted, then X-Forwarded-For is ignored and the socket address counts', async () => {
    const res = await request(appWith('10.0.0.0/8')).get('/ip').set('X-Forwarded-For', '203.0.113.9');

    expect(res.body.ip).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
  });
});
