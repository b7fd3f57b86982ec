import { spawnSync } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import request from 'supertest';
import { closeServer, listen } from '@social/common/lifecycle';
import { createTestUser } from '@social/testkit/helpers';
import { buildGateway, type TestGateway } from './support/gateway';
import { exchange } from './support/raw-client';
import { startUpstreamStub, type UpstreamStub } from './support/upstream-stub';

let stub: UpstreamStub;
let gw: TestGateway;
const alice = createTestUser();

beforeAll(async () => {
  stub = await startUpstreamStub();
  gw = buildGateway({ upstream: stub.url });
});
afterAll(async () => {
  await gw.close();
  await stub.close();
});

describe('path rewriting /v1/<area> → /api/<area>', () => {
  test.each([
    ['/v1/auth/refresh-token', '/api/auth/refresh-token', {}],
    ['/v1/users/me', '/api/users/me', {}],
    [
      '/v1/users/64b7f0c2a1b2c3d4e5f60718/followers?limit=5',
      '/api/users/64b7f0c2a1b2c3d4e5f60718/followers',
      { limit: '5' },
    ],
    ['/v1/posts/all-posts?page=2&limit=5', '/api/posts/all-posts', { page: '2', limit: '5' }],
    ['/v1/posts/64b7f0c2a1b2c3d4e5f60718', '/api/posts/64b7f0c2a1b2c3d4e5f60718', {}],
    ['/v1/media?page=1', '/api/media', { page: '1' }],
    ['/v1/media/files/abc.png', '/api/media/files/abc.png', {}],
    ['/v1/search/posts?query=running%20shoes', '/api/search/posts', { query: 'running shoes' }],
  ])('when GET %s, then the upstream gets %s with the query', async (url, path, query) => {
    // Act
    const res = await request(gw.app).get(url).set(alice.auth);
    // Assert
    expect(res.status).toBe(200);
    expect(res.body.echo).toMatchObject({ method: 'GET', path, query });
  });

  test('when the prefix is the whole path, then it maps to the bare service prefix', async () => {
    const res = await request(gw.app).get('/v1/media').set(alice.auth);
    expect(res.body.echo.path).toMatch(/^\/api\/media\/?$/);
  });

  test('when a body is posted to a proxied route, then method, content type and bytes pass unchanged', async () => {
    // Arrange
    const body = JSON.stringify({ content: 'hello   world', mediaIds: [] });
    // Act
    const res = await request(gw.app)
      .post('/v1/posts/create-post')
      .set(alice.auth)
      .set('Content-Type', 'application/json')
      .send(body);
    // Assert
    expect(res.status).toBe(200);
    expect(res.body.echo).toMatchObject({ method: 'POST', bodyBytes: Buffer.byteLength(body), body });
    expect(res.body.echo.headers['content-type']).toBe('application/json');
  });

  test('when the path has dot segments, then 400 and nothing is proxied', async () => {
    const before = stub.received.length;
    const res = await request(gw.app).get('/v1/media/files/../upload').set(alice.auth);
    const res2 = await request(gw.app).get('/v1/media/files/%2e%2e/upload');
    expect(res.status).toBe(400);
    expect(res2.status).toBe(400);
    expect(stub.received.length).toBe(before);
  });

  test('when a dot segment is delimited by a backslash, then 400 and nothing is proxied; other paths go as checked', async () => {
    // Raw bytes: an HTTP client library would turn the backslash into a slash before sending, and so did the
    // proxy's legacy URL parser on the way upstream (`/v1/auth/..\users/me` became `/api/auth/../users/me`).
    const server = http.createServer(gw.app);
    const port = await listen(server, 0, '127.0.0.1');
    try {
      const before = stub.received.length;
      for (const target of [
        '/v1/auth/..\\users/me',
        '/v1/posts/x\\..\\..\\auth',
        '/v1/media/files/.\\upload',
      ]) {
        const res = await exchange(port, { head: [`GET ${target} HTTP/1.1`, 'Host: gateway'] });
        expect({ target, status: res.status }).toEqual({ target, status: 400 });
      }
      expect(stub.received.length).toBe(before);
      // Any other backslash goes upstream as the guard saw it, not rewritten into a slash.
      const res = await exchange(port, { head: ['GET /v1/auth/a\\b HTTP/1.1', 'Host: gateway'] });
      expect(res.status).toBe(200);
      expect(stub.received.at(-1)?.path).toBe('/api/auth/a\\b');
    } finally {
      await closeServer(server);
    }
  });
});

describe('headers', () => {
  test('when a client spoofs x-user-id and internal headers, then they never reach the upstream', async () => {
    // Act
    const res = await request(gw.app)
      .get('/v1/posts/all-posts')
      .set(alice.auth)
      .set('x-user-id', 'ffffffffffffffffffffffff')
      .set('X-User-Role', 'admin')
      .set('x-internal-token', 'secret')
      .set('x-custom', 'kept');
    // Assert
    const headers = res.body.echo.headers;
    expect(headers['x-user-id']).toBe(alice.id);
    expect(headers).not.toHaveProperty('x-user-role');
    expect(headers).not.toHaveProperty('x-internal-token');
    expect(headers).toMatchObject({ authorization: alice.auth.Authorization, 'x-custom': 'kept' });
  });

  test('when a public route gets a spoofed x-user-id, then no x-user-id reaches the upstream', async () => {
    const res = await request(gw.app).post('/v1/auth/logout').set('x-user-id', alice.id).send({});
    expect(res.body.echo.headers).not.toHaveProperty('x-user-id');
  });

  test('when a request is proxied, then x-forwarded-* headers are set and Host is the upstream', async () => {
    const res = await request(gw.app)
      .get('/v1/search/posts?query=x')
      .set(alice.auth)
      .set('Host', 'api.example');
    expect(res.body.echo.headers).toMatchObject({
      'x-forwarded-for': expect.stringMatching(/^(::ffff:)?127\.0\.0\.1$/),
      'x-forwarded-proto': 'http',
      'x-forwarded-host': 'api.example',
      host: new URL(stub.url).host,
    });
  });

  test('when a client sends its own X-Forwarded-For and Forwarded, then the upstream gets exactly one address: the socket’s', async () => {
    // Act: the gateway is the edge (TRUST_PROXY=false): nothing the client says about its address counts.
    const res = await request(gw.app)
      .post('/v1/auth/login')
      .set('X-Forwarded-For', '198.51.100.7, 10.0.0.1')
      .set('Forwarded', 'for=198.51.100.8')
      .set('X-Real-IP', '198.51.100.9')
      .set('X-Forwarded-Proto', 'https')
      .send({ email: 'a@b.co', password: 'x' });
    // Assert
    const headers = res.body.echo.headers;
    expect(headers['x-forwarded-for']).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
    expect(headers['x-forwarded-proto']).toBe('http');
    expect(headers).not.toHaveProperty('forwarded');
    expect(headers).not.toHaveProperty('x-real-ip');
  });

  test('when the gateway trusts one proxy in front of it, then it forwards the address that proxy saw, and only that', async () => {
    // Arrange
    const behindLb = buildGateway({ upstream: stub.url, env: { TRUST_PROXY: '1' } });
    // Act: the client wrote the first entry; the load balancer appended the second.
    const res = await request(behindLb.app)
      .post('/v1/auth/login')
      .set('X-Forwarded-For', '198.51.100.7, 203.0.113.50')
      .send({ email: 'a@b.co', password: 'x' });
    await behindLb.close();
    // Assert
    expect(res.body.echo.headers['x-forwarded-for']).toBe('203.0.113.50');
  });

  test('when the client sends a sane x-request-id, then it is forwarded and echoed', async () => {
    const res = await request(gw.app)
      .get('/v1/posts/all-posts')
      .set(alice.auth)
      .set('x-request-id', 'req-42');
    expect(res.headers['x-request-id']).toBe('req-42');
    expect(res.body.echo.headers['x-request-id']).toBe('req-42');
  });

  test('when the client sends no (or an unsafe) request id, then a UUID is made, forwarded and echoed', async () => {
    const res = await request(gw.app)
      .get('/v1/posts/all-posts')
      .set(alice.auth)
      .set('x-request-id', 'a b\tc');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.echo.headers['x-request-id']).toBe(res.headers['x-request-id']);
  });

  test('when the upstream answers, then its status, headers and body come back', async () => {
    const res = await request(gw.app).get('/v1/posts/all-posts').set(alice.auth);
    expect(res.headers['x-upstream']).toBe('stub');
    expect(res.body).toMatchObject({ success: true });
  });
});

describe('unknown routes', () => {
  test.each(['/nope', '/v1/unknown/thing', '/v2/posts'])('when GET %s, then 404 JSON', async (url) => {
    const res = await request(gw.app).get(url).set('x-request-id', 'r-404');
    expect(res).toMatchObject({
      status: 404,
      body: { success: false, message: 'Route not found', requestId: 'r-404' },
    });
  });
});

describe('the legacy url.parse inside http-proxy-middleware', () => {
  test('when a proxy is created, then Node has settled its url.parse warning (no stack walk per request) without printing it', () => {
    // Arrange: a fresh process, where url.parse has never run; a call from outside node_modules warns once
    const script = `
      const url = require('node:url');
      const warnings = [];
      process.on('warning', (w) => warnings.push(w.code));
      const { upstreamProxy } = require('./src/proxy/upstream-proxy.ts');
      const { createLogger } = require('@social/common/logger');
      const { createMetrics } = require('@social/common/metrics');
      const route = { name: 'posts', target: 'http://127.0.0.1:1', from: '/v1/posts', to: '/api/posts' };
      upstreamProxy(route, { log: createLogger({ service: 't', silent: true }), metrics: createMetrics('t'), timeoutMs: 1000 });
      url.parse('/from-outside-node-modules');
      setTimeout(() => process.stdout.write(JSON.stringify(warnings)), 50);
    `;
    // Act
    const run = spawnSync(
      process.execPath,
      ['--conditions=@social/source', '--require', 'tsx/cjs', '-e', script],
      { cwd: path.join(__dirname, '..'), encoding: 'utf8' },
    );
    // Assert
    expect(run.stderr).not.toMatch(/DEP0169/);
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([]);
  });
});
