import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import request from 'supertest';
import { closeServer, listen } from '@social/common/lifecycle';
import { createTestUser, waitFor } from '@social/testkit/helpers';
import { buildGateway, type TestGateway } from './support/gateway';
import { startUpstreamStub, type EchoedRequest, type UpstreamStub } from './support/upstream-stub';

let stub: UpstreamStub;
let gw: TestGateway;
let server: http.Server;
let port: number;
const alice = createTestUser();
const MiB = 1024 * 1024;

beforeAll(async () => {
  stub = await startUpstreamStub();
  gw = buildGateway({ upstream: stub.url });
  server = http.createServer(gw.app);
  port = await listen(server, 0, '127.0.0.1');
});
afterAll(async () => {
  server.closeAllConnections();
  await closeServer(server);
  await gw.close();
  await stub.close();
});

const multipart = (file: Buffer, boundary: string): { head: Buffer; tail: Buffer } => ({
  head: Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n` +
      'Content-Type: application/octet-stream\r\n\r\n',
  ),
  tail: Buffer.from(`\r\n--${boundary}--\r\n`),
});

const readJson = (res: http.IncomingMessage): Promise<{ status: number; body: { echo: EchoedRequest } }> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () =>
      resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString()) }),
    );
    res.on('error', reject);
  });

describe('POST /v1/media/upload (10 MiB multipart)', () => {
  test('when a 10 MiB upload is sent, then the upstream is reading it before the client has finished, and gets identical bytes', async () => {
    // Arrange
    const file = randomBytes(10 * MiB);
    const boundary = 'gateway-test-boundary';
    const { head, tail } = multipart(file, boundary);
    const total = head.length + file.length + tail.length;
    const sha256 = createHash('sha256').update(head).update(file).update(tail).digest('hex');
    const req = http.request({
      port,
      host: '127.0.0.1',
      method: 'POST',
      path: '/v1/media/upload',
      headers: {
        ...alice.auth,
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': total,
      },
    });
    const response = new Promise<http.IncomingMessage>((resolve, reject) => {
      req.on('response', resolve);
      req.on('error', reject);
    });
    // Act: send the first 2 MiB, and hold the rest back until the upstream has seen bytes.
    req.write(head);
    req.write(file.subarray(0, 2 * MiB));
    await waitFor(() => stub.bytesInFlight() >= MiB, {
      timeoutMs: 5_000,
      description:
        'upstream receiving the upload while the client is still sending (a buffering gateway never would)',
    });
    req.end(Buffer.concat([file.subarray(2 * MiB), tail]));
    const { status, body } = await readJson(await response);
    // Assert
    expect(status).toBe(200);
    expect(body.echo).toMatchObject({
      method: 'POST',
      path: '/api/media/upload',
      bodyBytes: total,
      bodySha256: sha256,
    });
    expect(body.echo.headers).toMatchObject({
      'content-length': String(total),
      'content-type': `multipart/form-data; boundary=${boundary}`,
      'x-user-id': alice.id,
    });
  });
});

describe('POST /v1/auth/login and /register (streamed like every other body)', () => {
  test.each(['/v1/auth/login', '/v1/auth/register'])(
    'when a JSON body is sent to %s, then the upstream gets the very bytes and content type',
    async (url) => {
      // Arrange: spacing and key order a re-serialization would change
      const body = '{ "password": "correct horse battery",\n  "email": "Alice@Example.com" }';
      // Act
      const res = await request(gw.app).post(url).set('Content-Type', 'application/json').send(body);
      // Assert
      expect(res.status).toBe(200);
      expect(res.body.echo).toMatchObject({ body, bodyBytes: Buffer.byteLength(body) });
      expect(res.body.echo.headers['content-type']).toBe('application/json');
    },
  );

  test('when the login JSON is malformed, then it is passed on untouched for the service to refuse', async () => {
    const res = await request(gw.app)
      .post('/v1/auth/login')
      .set('Content-Type', 'application/json')
      .send('{"email":');
    expect(res.status).toBe(200);
    expect(res.body.echo).toMatchObject({ path: '/api/auth/login', body: '{"email":' });
  });

  test('when a login body is large, then the gateway streams it and leaves the size limit to the service', async () => {
    const body = JSON.stringify({ email: 'a@b.c', password: 'x'.repeat(256 * 1024) });
    const res = await request(gw.app)
      .post('/v1/auth/login')
      .set('Content-Type', 'application/json')
      .send(body);
    expect(res.status).toBe(200);
    expect(res.body.echo.bodyBytes).toBe(Buffer.byteLength(body));
  });

  test('when a large JSON body goes to another route, then it streams through as well', async () => {
    const content = 'x'.repeat(50 * 1024);
    const res = await request(gw.app).post('/v1/posts/create-post').set(alice.auth).send({ content });
    expect(res.status).toBe(200);
    expect(res.body.echo.bodyBytes).toBe(Buffer.byteLength(JSON.stringify({ content })));
  });
});
