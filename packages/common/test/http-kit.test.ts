import Joi from 'joi';
import request from 'supertest';
import {
  createLogger,
  createMetrics,
  createServiceApp,
  jsonBody,
  validate,
  ConflictError,
  type Readiness,
} from '../src';

const log = createLogger({ service: 'test', silent: true });

function buildApp(readiness: Readiness = { checks: {} }) {
  return createServiceApp(
    { log, metrics: createMetrics('test', { defaultMetrics: false }), readiness },
    (app) => {
      app.use(jsonBody('1kb'));
      app.post(
        '/echo',
        validate({ body: Joi.object({ name: Joi.string().max(5).required() }) }),
        (req, res) => {
          res.json({ success: true, body: req.body });
        },
      );
      app.get(
        '/items',
        validate({ query: Joi.object({ limit: Joi.number().integer().max(50).default(10) }) }),
        (_req, res) => {
          res.json({ success: true, query: res.locals.query });
        },
      );
      app.get('/boom', () => {
        throw new Error('secret internals at /srv/app.js:12');
      });
      app.get('/conflict', () => {
        throw new ConflictError('Username is taken');
      });
    },
  );
}

describe('http kit', () => {
  const app = buildApp();

  test('when the JSON body is malformed, then 400 JSON with the request id', async () => {
    const res = await request(app).post('/echo').set('content-type', 'application/json').send('{"name":');
    expect(res).toMatchObject({
      status: 400,
      body: { success: false, message: 'Malformed JSON body', requestId: res.headers['x-request-id'] },
    });
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

  test('when a dependency is down, then /ready answers 503 with each check', async () => {
    const res = await request(
      buildApp({ checks: { mongo: async () => undefined, redis: () => Promise.reject(new Error('down')) } }),
    ).get('/ready');
    expect(res).toMatchObject({
      status: 503,
      body: { success: false, checks: { mongo: 'up', redis: 'down' } },
    });
  });

  test('when requests were served, then /metrics has the route template, not the raw url', async () => {
    await request(app).get('/items?limit=3');
    const res = await request(app).get('/metrics');
    expect(res.text).toContain('route="/items"');
    expect(res.text).not.toContain('limit=3');
  });
});

describe('http metrics for mounted handlers', () => {
  test('when a handler is mounted with app.use (e.g. a proxy), then its prefix labels the series', async () => {
    const app = createServiceApp(
      { log, metrics: createMetrics('test', { defaultMetrics: false }), readiness: { checks: {} } },
      (a) => {
        a.use('/v1/posts', (_req, res) => {
          res.json({ success: true });
        });
      },
    );
    await request(app).get('/v1/posts/64b7f0c2a1b2c3d4e5f60718');
    const res = await request(app).get('/metrics');
    expect(res.text).toContain('route="/v1/posts/*"');
    expect(res.text).not.toContain('64b7f0c2a1b2c3d4e5f60718');
  });
});
