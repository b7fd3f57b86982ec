import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { createTestUser } from '@social/testkit/helpers';
import { buildGateway, type TestGateway } from './support/gateway';
import { closedPort, startUpstreamStub, type UpstreamStub } from './support/upstream-stub';

let stub: UpstreamStub;
let gw: TestGateway;
let noSpec: TestGateway;
let downstream: TestGateway;
let tmp: string;
const alice = createTestUser();
const spec = 'openapi: 3.0.3\ninfo:\n  title: Social API\n  version: 1.0.0\npaths: {}\n';

beforeAll(async () => {
  stub = await startUpstreamStub();
  tmp = await mkdtemp(path.join(os.tmpdir(), 'gateway-docs-'));
  await writeFile(path.join(tmp, 'openapi.yaml'), spec);
  gw = buildGateway({
    upstream: stub.url,
    env: {
      CORS_ORIGINS: 'https://app.example, http://localhost:5173',
      OPENAPI_PATH: path.join(tmp, 'openapi.yaml'),
    },
  });
  noSpec = buildGateway({ upstream: stub.url, env: { OPENAPI_PATH: path.join(tmp, 'missing.yaml') } });
  downstream = buildGateway({ upstream: `http://127.0.0.1:${await closedPort()}` });
});
afterAll(async () => {
  await Promise.all([gw.close(), noSpec.close(), downstream.close()]);
  await stub.close();
  await rm(tmp, { recursive: true, force: true });
});

describe('security headers (helmet)', () => {
  test.each(['/v1/posts/all-posts', '/nope'])(
    'when %s answers, then helmet headers are set and the framework is not advertised',
    async (url) => {
      const res = await request(gw.app).get(url).set(alice.auth);
      expect(res.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        // An API answer is never a page: it loads nothing and no one may frame it (OWASP REST cheat sheet).
        'x-frame-options': 'DENY',
        'strict-transport-security': expect.stringContaining('max-age='),
        'content-security-policy': "default-src 'none';frame-ancestors 'none'",
      });
      expect(res.headers).not.toHaveProperty('x-powered-by');
    },
  );

  test('when the API answers, then helmet’s document-only headers are left off; the /docs page keeps them', async () => {
    const documentOnly = [
      'cross-origin-opener-policy',
      'origin-agent-cluster',
      'x-dns-prefetch-control',
      'x-download-options',
      'x-xss-protection',
    ];
    const api = await request(gw.app).get('/v1/posts/all-posts').set(alice.auth);
    expect(api.status).toBe(200);
    for (const name of documentOnly) expect(api.headers).not.toHaveProperty(name);
    expect(api.headers).toMatchObject({
      'cross-origin-resource-policy': 'same-origin',
      'referrer-policy': 'no-referrer',
      'x-permitted-cross-domain-policies': 'none',
    });

    const docs = await request(gw.app).get('/docs');
    expect(docs.status).toBe(200);
    for (const name of documentOnly) expect(docs.headers).toHaveProperty(name);
  });
});

describe('CORS (CORS_ORIGINS)', () => {
  test('when an allowed origin sends a preflight, then it is allowed without reaching auth or the upstream', async () => {
    const before = stub.received.length;
    const res = await request(gw.app)
      .options('/v1/posts/create-post')
      .set('Origin', 'https://app.example')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization,content-type');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(res.headers['access-control-allow-headers']).toMatch(/authorization/i);
    expect(stub.received.length).toBe(before);
  });

  test('when an allowed origin calls the API, then the response allows it and exposes x-request-id', async () => {
    const res = await request(gw.app)
      .get('/v1/posts/all-posts')
      .set(alice.auth)
      .set('Origin', 'http://localhost:5173');
    expect(res.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    expect(res.headers['access-control-expose-headers']).toMatch(/x-request-id/i);
  });

  test('when a request carries no Origin, then the answer varies on Origin and holds no CORS headers', async () => {
    const res = await request(gw.app).get('/v1/posts/all-posts').set(alice.auth);
    expect(res.status).toBe(200);
    expect(res.headers.vary).toMatch(/\bOrigin\b/);
    expect(Object.keys(res.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
  });

  test('when another origin calls, then no CORS allowance is given', async () => {
    const res = await request(gw.app)
      .options('/v1/posts/create-post')
      .set('Origin', 'https://evil.example')
      .set('Access-Control-Request-Method', 'POST');
    expect(res.headers).not.toHaveProperty('access-control-allow-origin');
  });

  test('when CORS_ORIGINS is unset, then no origin is allowed', async () => {
    const res = await request(noSpec.app).get('/v1/auth/ping').set('Origin', 'https://app.example');
    expect(res.status).toBe(200);
    expect(res.headers).not.toHaveProperty('access-control-allow-origin');
  });
});

describe('/docs', () => {
  test('when GET /docs, then the Swagger UI page from local assets with a CSP that allows them', async () => {
    const res = await request(gw.app).get('/docs');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toContain('<script src="/docs/swagger-ui-bundle.js"></script>');
    expect(res.text).not.toMatch(/https?:\/\//);
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
    // The page's own policy, not the API's (which would block every asset it loads).
    expect(res.headers['content-security-policy']).not.toContain("default-src 'none'");
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
  });

  test.each([
    ['/docs/swagger-ui-bundle.js', /javascript/],
    ['/docs/swagger-ui.css', /text\/css/],
    ['/docs/swagger-initializer.js', /javascript/],
  ])('when GET %s, then it is served', async (url, type) => {
    const res = await request(gw.app).get(url);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(type);
  });

  test('when the initializer loads, then it points at the local OpenAPI file', async () => {
    const res = await request(gw.app).get('/docs/swagger-initializer.js');
    expect(res.text).toContain("url: '/docs/openapi.yaml'");
  });

  test('when GET /docs/openapi.yaml, then the file at OPENAPI_PATH is served as YAML', async () => {
    const res = await request(gw.app).get('/docs/openapi.yaml').buffer(true);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/yaml/);
    expect(res.text).toBe(spec);
  });

  test('when the OpenAPI file is missing, then 404 JSON (and the gateway keeps running)', async () => {
    const res = await request(noSpec.app).get('/docs/openapi.yaml');
    expect(res).toMatchObject({
      status: 404,
      body: { success: false, message: 'OpenAPI document not found' },
    });
    expect((await request(noSpec.app).get('/docs')).status).toBe(200);
  });
});

describe('probes', () => {
  test('when GET /health, then 200', async () => {
    const res = await request(gw.app).get('/health');
    expect(res).toMatchObject({ status: 200, body: { success: true, status: 'ok' } });
  });

  test('when Redis and every upstream answer, then /ready (internal port) is 200 with each check up', async () => {
    const res = await request(gw.internal).get('/ready');
    expect(res).toMatchObject({
      status: 200,
      body: {
        success: true,
        status: 'ready',
        checks: {
          redis: 'up',
          'identity-service': 'up',
          'post-service': 'up',
          'media-service': 'up',
          'search-service': 'up',
        },
      },
    });
  });

  test('when the upstreams are down, then /ready stays 200 and names them degraded: the gateway needs only itself', async () => {
    const res = await request(downstream.internal).get('/ready');
    expect(res).toMatchObject({
      status: 200,
      body: {
        success: true,
        status: 'degraded',
        checks: { redis: 'up', 'post-service': 'down', 'search-service': 'down' },
      },
    });
    expect(downstream.logs).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: 'dependency unavailable',
        dependency: 'post-service',
      }),
    );
  });

  test('when /metrics or /ready is asked on the public port, then 404 (operators only, internal port)', async () => {
    const [metrics, ready] = await Promise.all([
      request(gw.app).get('/metrics'),
      request(gw.app).get('/ready'),
    ]);
    expect(metrics).toMatchObject({ status: 404, body: { success: false } });
    expect(ready).toMatchObject({ status: 404, body: { success: false } });
  });

  test('when GET /metrics, then Prometheus text with HTTP and gateway metrics', async () => {
    await request(gw.app).get('/v1/posts/all-posts').set(alice.auth);
    const res = await request(gw.internal).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.text).toContain('http_request_duration_seconds');
    expect(res.text).toContain('# TYPE gateway_rate_limit_store_errors_total counter');
    expect(res.text).toContain('# TYPE gateway_upstream_errors_total counter');
  });

  test('when probes are called often, then the per-IP limiter does not count them', async () => {
    const limited = buildGateway({ upstream: stub.url, env: { RATE_LIMIT_IP_MAX: '1' } });
    try {
      for (let i = 0; i < 3; i++) await request(limited.app).get('/health').expect(200);
    } finally {
      await limited.close();
    }
  });
});
