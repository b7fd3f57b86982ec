import { createHash } from 'node:crypto';
import http from 'node:http';
import zlib from 'node:zlib';
import { closeServer, listen } from '@social/common/lifecycle';
import { createEdgeServer } from '../src/http/edge-server';
import { buildGateway, type TestGateway } from './support/gateway';
import { chunked, exchange } from './support/raw-client';
import { startUpstreamStub, type EchoedRequest, type UpstreamStub } from './support/upstream-stub';

let stub: UpstreamStub;
let gw: TestGateway;
let server: http.Server;
let port: number;

beforeAll(async () => {
  stub = await startUpstreamStub();
  gw = buildGateway({ upstream: stub.url, env: { PROXY_TIMEOUT_MS: '300' } });
  server = createEdgeServer(gw.app, gw.log);
  port = await listen(server, 0, '127.0.0.1');
});
afterAll(async () => {
  server.closeAllConnections();
  await closeServer(server);
  await gw.close();
  await stub.close();
});

const login = JSON.stringify({ email: 'alice@example.com', password: 'correct horse battery' });
const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');
const echoOf = (body: string): EchoedRequest => (JSON.parse(body) as { echo: EchoedRequest }).echo;
const upstreamErrors = async (): Promise<number> => {
  const text = await gw.metrics.registry.getSingleMetricAsString('gateway_upstream_errors_total');
  return [...text.matchAll(/^gateway_upstream_errors_total\{[^}]*\} (\d+)$/gm)].reduce(
    (sum, m) => sum + Number(m[1]),
    0,
  );
};
const errorShape = { success: false, message: expect.any(String), requestId: expect.any(String) };

describe('request targets', () => {
  test('when a client sends the target in absolute form, then it is routed, checked and proxied like the path alone', async () => {
    // What a client behind a forward proxy sends (RFC 9112 §3.2.2); an HTTP client library never does it itself.
    const res = await exchange(port, {
      head: [
        'POST http://api.example:8080/v1/auth/login?via=proxy HTTP/1.1',
        'Host: ignored.example',
        'Content-Type: application/json',
        `Content-Length: ${Buffer.byteLength(login)}`,
      ],
      body: login,
    });
    expect(res.status).toBe(200);
    const echo = echoOf(res.body);
    expect(echo.path).toBe('/api/auth/login');
    expect(echo.query).toEqual({ via: 'proxy' });
    expect(echo.headers['x-forwarded-host']).toBe('api.example:8080');
    expect(echo.bodySha256).toBe(sha256(login));

    const dotted = await exchange(port, {
      head: ['GET http://api.example/v1/auth/../users/me HTTP/1.1', 'Host: api.example'],
    });
    expect(dotted.status).toBe(400);
    const unknown = await exchange(port, {
      head: ['GET http://api.example/elsewhere HTTP/1.1', 'Host: api.example'],
    });
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body)).toMatchObject(errorShape);
  });
});

describe('bodies the gateway passes on as the client framed them', () => {
  test('when a login arrives chunked in several pieces, then the upstream reads the same bytes, still chunked', async () => {
    // Arrange
    const pieces = [login.slice(0, 7), login.slice(7, 20), login.slice(20)];
    // Act
    const res = await exchange(port, {
      head: [
        'POST /v1/auth/login HTTP/1.1',
        'Host: gw',
        'Content-Type: application/json',
        'Transfer-Encoding: chunked',
      ],
      body: chunked(pieces),
    });
    // Assert
    expect(res.status).toBe(200);
    const echo = echoOf(res.body);
    expect(echo).toMatchObject({ path: '/api/auth/login', body: login, bodySha256: sha256(login) });
    expect(echo.headers['transfer-encoding']).toBe('chunked');
    expect(echo.headers).not.toHaveProperty('content-length');
  });

  test('when a DELETE body arrives chunked, then the upstream reads it as that body, still chunked, and nothing in it becomes a request of its own', async () => {
    // Arrange: http-proxy forwards a DELETE without Content-Length as `Content-Length: 0`; the bytes after it
    // would then reach the upstream as a second request, one the gateway never checked.
    const smuggled = `GET /api/smuggled HTTP/1.1\r\nHost: up\r\nx-user-id: someone-else\r\n\r\n`;
    const requestsBefore = stub.received.length;
    // Act
    const res = await exchange(port, {
      head: [
        'DELETE /v1/auth/logout HTTP/1.1',
        'Host: gw',
        'Content-Type: application/json',
        'Transfer-Encoding: chunked',
      ],
      body: chunked([smuggled.slice(0, 10), smuggled.slice(10)]),
    });
    // Assert
    expect(res.status).toBe(200);
    const echo = echoOf(res.body);
    expect(echo).toMatchObject({ method: 'DELETE', path: '/api/auth/logout', body: smuggled });
    expect(echo.headers['transfer-encoding']).toBe('chunked');
    expect(echo.headers).not.toHaveProperty('content-length');
    expect(stub.received.slice(requestsBefore).map((r) => r.path)).toEqual(['/api/auth/logout']);
  });

  test('when a register says Expect: 100-continue, then the client gets its 100, sends, and the upstream gets the body without the Expect', async () => {
    const res = await exchange(port, {
      head: [
        'POST /v1/auth/register HTTP/1.1',
        'Host: gw',
        'Content-Type: application/json',
        `Content-Length: ${Buffer.byteLength(login)}`,
        'Expect: 100-continue',
      ],
      body: login,
      afterContinue: true,
    });

    expect(res.statuses).toEqual([100, 200]);
    const echo = echoOf(res.body);
    expect(echo).toMatchObject({ path: '/api/auth/register', body: login });
    expect(echo.headers).not.toHaveProperty('expect');
  });

  test('when the body is gzip-encoded, then the upstream gets the compressed bytes and the Content-Encoding', async () => {
    const gzipped = zlib.gzipSync(login);

    const res = await exchange(port, {
      head: [
        'POST /v1/auth/login HTTP/1.1',
        'Host: gw',
        'Content-Type: application/json',
        'Content-Encoding: gzip',
        `Content-Length: ${gzipped.length}`,
      ],
      body: gzipped,
    });

    expect(res.status).toBe(200);
    const echo = echoOf(res.body);
    expect(echo).toMatchObject({ bodyBytes: gzipped.length, bodySha256: sha256(gzipped) });
    expect(echo.headers).toMatchObject({
      'content-encoding': 'gzip',
      'content-length': String(gzipped.length),
    });
  });

  test('when a body is nested 5,000 arrays deep, then it reaches the upstream untouched (nothing re-serializes it)', async () => {
    const deep = '['.repeat(5_000) + ']'.repeat(5_000);

    const res = await exchange(port, {
      head: [
        'POST /v1/auth/login HTTP/1.1',
        'Host: gw',
        'Content-Type: application/json',
        `Content-Length: ${deep.length}`,
      ],
      body: deep,
    });

    expect(res.status).toBe(200);
    expect(echoOf(res.body)).toMatchObject({ bodyBytes: deep.length, bodySha256: sha256(deep) });
  });
});

describe('requests the gateway refuses itself, in JSON', () => {
  test('when a request has both Content-Length and Transfer-Encoding, then 400 JSON and nothing is proxied', async () => {
    // Arrange
    const before = stub.received.length;
    // Act
    const res = await exchange(port, {
      head: [
        'POST /v1/auth/login HTTP/1.1',
        'Host: gw',
        'Content-Type: application/json',
        'Content-Length: 5',
        'Transfer-Encoding: chunked',
      ],
      body: chunked([login]),
    });
    // Assert
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(res.body)).toEqual({
      success: false,
      message: 'Malformed HTTP request',
      requestId: res.headers['x-request-id'],
    });
    expect(stub.received.length).toBe(before);
  });

  test('when the chunk framing breaks mid-body, then 400 JSON and no upstream error is counted', async () => {
    const before = await upstreamErrors();

    const res = await exchange(port, {
      head: ['POST /v1/auth/login HTTP/1.1', 'Host: gw', 'Transfer-Encoding: chunked'],
      body: 'zz\r\nnot a chunk\r\n0\r\n\r\n',
    });

    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject(errorShape);
    expect(await upstreamErrors()).toBe(before);
  });

  test('when the headers are far too large, then 431 JSON', async () => {
    const res = await exchange(port, {
      head: ['GET /v1/auth/x HTTP/1.1', 'Host: gw', `X-Big: ${'b'.repeat(20_000)}`],
    });

    expect(res.status).toBe(431);
    expect(JSON.parse(res.body)).toMatchObject(errorShape);
  });

  test('when the client expects something other than 100-continue, then 417 JSON and nothing is proxied', async () => {
    const before = stub.received.length;

    const res = await exchange(port, {
      head: [
        'POST /v1/auth/login HTTP/1.1',
        'Host: gw',
        'Content-Length: 2',
        'Expect: teapot',
        'x-request-id: exp-1',
      ],
      body: '{}',
    });

    expect(res.status).toBe(417);
    expect(JSON.parse(res.body)).toEqual({
      success: false,
      message: 'Only Expect: 100-continue is supported',
      requestId: 'exp-1',
    });
    expect(stub.received.length).toBe(before);
  });
});

describe('clients that do not finish (not an upstream failure)', () => {
  test('when a client stops sending halfway through its body, then 408 JSON and the upstream-error metric does not move', async () => {
    // Arrange
    const before = await upstreamErrors();
    // Act: announces 100 bytes, sends 10, then waits for an answer.
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request({
        port,
        host: '127.0.0.1',
        method: 'POST',
        path: '/v1/auth/login',
        headers: { 'content-type': 'application/json', 'content-length': 100 },
      });
      req.on('error', reject);
      req.on('response', (r) => {
        let body = '';
        r.on('data', (c: Buffer) => (body += c.toString()));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
      });
      req.write('{"email":"');
    });
    // Assert
    expect(res.status).toBe(408);
    expect(JSON.parse(res.body)).toMatchObject(errorShape);
    expect(await upstreamErrors()).toBe(before);
    expect(gw.logs).toContainEqual(
      expect.objectContaining({ message: 'client did not complete its request', reason: 'body timeout' }),
    );
  });
});
