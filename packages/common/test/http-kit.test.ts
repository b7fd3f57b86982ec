import Joi from 'joi';
import { Router } from 'express';
import request from 'supertest';
import { createReadinessProbe } from '../src/health';
import { createInternalApp, createServiceApp, jsonBody, validate, ConflictError } from '../src/http';
import { createLogger } from '../src/logger';
import { createMetrics, type Metrics } from '../src/metrics';

const log = createLogger({ service: 'test', silent: true });

/** The internal port's app (/metrics, /ready) next to a public one sharing its metrics. */
const internalOf = (metrics: Metrics) =>
  createInternalApp({ log, metrics, probe: createReadinessProbe({}, { log, registry: metrics.registry }) });

function buildApp(metrics: Metrics = createMetrics('test', { defaultMetrics: false })) {
  return createServiceApp({ log, metrics }, (app) => {
    app.use(jsonBody('1kb'));
    const echo = validate({
      body: Joi.object<{ name: string }, true>({ name: Joi.string().max(5).required() }),
    });
    app.post('/echo', echo, (_req, res) => {
      res.json({ success: true, body: echo.input(res).body });
    });
    const items = validate({
      query: Joi.object<{ limit: number }, true>({ limit: Joi.number().integer().max(50).default(10) }),
    });
    app.get('/items', items, (_req, res) => {
      res.json({ success: true, query: items.input(res).query });
    });
    app.get('/boom', () => {
      throw new Error('secret internals at /srv/app.js:12');
    });
    app.get('/conflict', () => {
      throw new ConflictError('Username is taken');
    });
  });
}

describe('http kit', () => {
  const metrics = createMetrics('test', { defaultMetrics: false });
  const app = buildApp(metrics);
  const internal = internalOf(metrics);

  test('when the JSON body is malformed, then 400 JSON with the request id', async () => {
    const res = await request(app).post('/echo').set('content-type', 'application/json').send('{"name":');
    expect(res).toMatchObject({
      status: 400,
      body: { success: false, message: 'Malformed JSON body', requestId: res.headers['x-request-id'] },
    });
  });

  test('when a UTF-8 body holds bytes that are not UTF-8, then 400, not text with U+FFFD in it', async () => {
    const body = Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);

    const res = await request(app)
      .post('/echo')
      .set('content-type', 'application/json')
      // The bytes as they are, not superagent's JSON of a Buffer (it writes whatever serialize returns).
      .serialize(((bytes: Buffer) => bytes) as unknown as (body: unknown) => string)
      .send(body);

    expect(res).toMatchObject({
      status: 400,
      body: { success: false, message: 'Malformed JSON body: not valid UTF-8' },
    });
  });

  test('when a JSON body is valid UTF-8 beyond ASCII, then it is read as sent', async () => {
    const res = await request(app)
      .post('/echo')
      .set('content-type', 'application/json; charset=utf-8')
      .send('{"name":"é🙂"}');

    expect(res.status).toBe(200);
    expect(res.body.body).toEqual({ name: 'é🙂' });
  });

  test('when the body is over the limit, then 413', async () => {
    const res = await request(app)
      .post('/echo')
      .send({ name: 'x'.repeat(2_000) });
    expect(res).toMatchObject({ status: 413, body: { success: false, message: 'Request body too large' } });
  });

  test('when the body is not JSON, then 415', async () => {
    const res = await request(app).post('/echo').set('content-type', 'text/plain').send('name=x');
    expect(res).toMatchObject({ status: 415, body: { success: false } });
  });

  test('when fields are invalid or unknown, then 400 lists every problem', async () => {
    const res = await request(app).post('/echo').send({ name: 'toolong', extra: 1 });
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([
      { path: 'body.name', reason: expect.stringContaining('5') },
      { path: 'body.extra', reason: expect.stringContaining('not allowed') },
    ]);
  });

  test('when the body carries a __proto__ key, then 400 (joi alone would let it through)', async () => {
    const res = await request(app)
      .post('/echo')
      .set('content-type', 'application/json')
      .send('{"name":"ok","__proto__":{"isAdmin":true}}');
    expect(res).toMatchObject({ status: 400, body: { success: false } });
    expect(res.body.details).toEqual([{ path: 'body.__proto__', reason: '__proto__ is not allowed' }]);
  });

  test('when the body is valid, then the route reads the converted value, typed by its schema', async () => {
    const res = await request(app).post('/echo').send({ name: 'ab' });
    expect(res.body).toEqual({ success: true, body: { name: 'ab' } });
  });

  test('when the query is valid, then converted values reach the route', async () => {
    const res = await request(app).get('/items?limit=20');
    expect(res.body).toEqual({ success: true, query: { limit: 20 } });
  });

  test('when the route is unknown, then 404 JSON', async () => {
    const res = await request(app).get('/nope');
    expect(res).toMatchObject({ status: 404, body: { success: false, message: 'Route not found' } });
  });

  test('when a handler throws an unknown error, then 500 with a generic message and no stack', async () => {
    const res = await request(app).get('/boom');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({
      success: false,
      message: 'Internal server error',
      requestId: expect.any(String),
    });
    expect(JSON.stringify(res.body)).not.toContain('/srv/app.js');
  });

  test('when a domain error is thrown, then its status and message are sent', async () => {
    const res = await request(app).get('/conflict');
    expect(res).toMatchObject({ status: 409, body: { success: false, message: 'Username is taken' } });
  });

  test('when the caller sends a sane request id, then it is echoed; an unsafe one is replaced', async () => {
    const sane = await request(app).get('/health').set('x-request-id', 'req-42');
    const unsafe = await request(app).get('/health').set('x-request-id', 'evil id<script>');
    expect(sane.headers['x-request-id']).toBe('req-42');
    expect(unsafe.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('when /metrics or /ready is asked on the public app, then 404: they live on the internal port', async () => {
    const [metricsRes, ready] = await Promise.all([request(app).get('/metrics'), request(app).get('/ready')]);
    expect(metricsRes.status).toBe(404);
    expect(ready.status).toBe(404);
  });

  test('when requests were served, then /metrics has the route template, not the raw url', async () => {
    await request(app).get('/items?limit=3');
    const res = await request(internal).get('/metrics');
    expect(res.text).toContain('route="/items"');
    expect(res.text).not.toContain('limit=3');
  });
});

describe('http metrics for mounted handlers', () => {
  test('when a handler is mounted with app.use (e.g. a proxy), then its prefix labels the series', async () => {
    const metrics = createMetrics('test', { defaultMetrics: false });
    const app = createServiceApp({ log, metrics }, (a) => {
      a.use('/v1/posts', (_req, res) => {
        res.json({ success: true });
      });
    });
    await request(app).get('/v1/posts/64b7f0c2a1b2c3d4e5f60718');
    const res = await request(internalOf(metrics)).get('/metrics');
    expect(res.text).toContain('route="/v1/posts/*"');
    expect(res.text).not.toContain('64b7f0c2a1b2c3d4e5f60718');
  });

  test('when URLs match no route, also under a mounted router, then they share one "unmatched" series', async () => {
    // Arrange
    const metrics = createMetrics('test', { defaultMetrics: false });
    const app = createServiceApp({ log, metrics }, (a) => {
      const things = Router();
      things.get('/:id', (_req, res) => {
        res.json({ success: true });
      });
      a.use('/api/things', things);
    });
    // Act
    await request(app).get('/no/such/64b7f0c2a1b2c3d4e5f60718').expect(404);
    await request(app).get('/api/things/64b7f0c2a1b2c3d4e5f60719/extra').expect(404);
    const res = await request(internalOf(metrics)).get('/metrics');
    // Assert
    const series = res.text.split('\n').filter((l) => l.startsWith('http_request_duration_seconds_count'));
    expect(series).toEqual([
      'http_request_duration_seconds_count{service="test",method="GET",route="unmatched",status_code="404"} 2',
    ]);
  });
});

describe('validate(): reading input it did not validate', () => {
  test('when a handler reads a validator that is not on its route, then it is a wiring bug (500), not a client error', async () => {
    const notMounted = validate({ query: Joi.object<{ q: string }, true>({ q: Joi.string() }) });
    const app = createServiceApp({ log, metrics: createMetrics('test', { defaultMetrics: false }) }, (a) => {
      a.get('/unwired', (_req, res) => {
        res.json({ success: true, q: notMounted.input(res).query.q });
      });
    });

    const res = await request(app).get('/unwired?q=x');

    expect(res).toMatchObject({ status: 500, body: { success: false, message: 'Internal server error' } });
  });
});

describe('security headers: at the edge, not behind it', () => {
  const helmetHeaders = ['content-security-policy', 'x-content-type-options', 'x-frame-options'];
  const appWith = (behindGateway?: boolean) =>
    createServiceApp(
      { log, metrics: createMetrics('test', { defaultMetrics: false }), behindGateway },
      (a) => {
        a.get('/thing', (_req, res) => {
          res.json({ success: true });
        });
      },
    );

  test('when an app faces clients, then its answers and its 404s carry helmet headers', async () => {
    const app = appWith();
    for (const url of ['/thing', '/nope']) {
      const res = await request(app).get(url);
      for (const name of helmetHeaders) expect(res.headers).toHaveProperty(name);
    }
  });

  test('when a service answers behind the gateway, then it leaves them to the gateway and keeps its own', async () => {
    const res = await request(appWith(true)).get('/thing');

    expect(res.status).toBe(200);
    for (const name of helmetHeaders) expect(res.headers).not.toHaveProperty(name);
    expect(res.headers).toHaveProperty('x-request-id');
    expect(res.headers).not.toHaveProperty('x-powered-by');
  });
});
