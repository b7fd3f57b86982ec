import http from 'node:http';
import zlib from 'node:zlib';
import request from 'supertest';
import { closeServer, listen } from '@social/common/lifecycle';
import { buildRegisterInput } from '@social/testkit/helpers';
import {
  registerUser,
  startTestApp,
  startTestDatabase,
  type TestDatabase,
  type TestIdentityApp,
} from './support/identity-test-app';

let db: TestDatabase;
let svc: TestIdentityApp;
let server: http.Server;
let port: number;

beforeAll(async () => {
  db = await startTestDatabase();
  svc = await startTestApp(db, { JSON_BODY_LIMIT: '100kb' });
  server = http.createServer(svc.app);
  port = await listen(server, 0, '127.0.0.1');
});

afterAll(async () => {
  server.closeAllConnections();
  await closeServer(server);
  await svc.close();
  await db.close();
});

interface RawReply {
  status: number;
  body: Record<string, unknown>;
}

/** The bytes exactly as given (supertest would re-serialize a Buffer sent as JSON). */
const post = (path: string, body: Buffer | string, headers: Record<string, string>): Promise<RawReply> =>
  new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString()) }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });

const json = 'application/json';
const deepArrays = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);
const deepObjects = (depth: number): string => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
const compressors: Array<[encoding: string, compress: (b: Buffer) => Buffer]> = [
  ['gzip', (b) => zlib.gzipSync(b)],
  ['deflate', (b) => zlib.deflateSync(b)],
  ['br', (b) => zlib.brotliCompressSync(b)],
  ['zstd', (b) => zlib.zstdCompressSync(b)],
];

describe('POST /api/auth/login and /register: compressed bodies (Content-Encoding)', () => {
  test.each(compressors)(
    'when a valid login arrives %s-encoded, then it signs in',
    async (encoding, compress) => {
      // Arrange
      const alice = await registerUser(svc.app);
      const body = compress(Buffer.from(JSON.stringify({ email: alice.email, password: alice.password })));
      // Act
      const res = await post('/api/auth/login', body, { 'Content-Type': json, 'Content-Encoding': encoding });
      // Assert
      expect(res).toMatchObject({ status: 200, body: { success: true, userId: alice.id } });
    },
  );

  test('when a register body arrives gzip-encoded, then the account is created', async () => {
    const input = buildRegisterInput();
    const body = zlib.gzipSync(JSON.stringify(input));

    const res = await post('/api/auth/register', body, { 'Content-Type': json, 'Content-Encoding': 'gzip' });

    expect(res).toMatchObject({ status: 201, body: { user: { email: input.email } } });
  });
});

type Case = [what: string, body: Buffer | string, headers: Record<string, string>, status: number];
const valid = JSON.stringify({ email: 'someone@example.com', password: 'long-enough-password' });
const cases: Case[] = [
  ['malformed JSON', '{"email":', { 'Content-Type': json }, 400],
  ['a corrupt gzip body', 'definitely not gzip', { 'Content-Type': json, 'Content-Encoding': 'gzip' }, 400],
  [
    'a truncated gzip body',
    zlib.gzipSync(valid).subarray(0, 12),
    { 'Content-Type': json, 'Content-Encoding': 'gzip' },
    400,
  ],
  ['a corrupt deflate body', 'not deflate', { 'Content-Type': json, 'Content-Encoding': 'deflate' }, 400],
  ['a corrupt br body', 'not brotli!', { 'Content-Type': json, 'Content-Encoding': 'br' }, 400],
  ['an unknown encoding (compress)', valid, { 'Content-Type': json, 'Content-Encoding': 'compress' }, 415],
  ['an unknown encoding (x-unknown)', valid, { 'Content-Type': json, 'Content-Encoding': 'x-unknown' }, 415],
  [
    'two stacked encodings',
    zlib.gzipSync(zlib.gzipSync(valid)),
    { 'Content-Type': json, 'Content-Encoding': 'gzip, gzip' },
    415,
  ],
  ['an unsupported charset', valid, { 'Content-Type': 'application/json; charset=klingon' }, 415],
  ['a non-UTF charset', valid, { 'Content-Type': 'application/json; charset=latin1' }, 415],
  ['text/plain', valid, { 'Content-Type': 'text/plain' }, 415],
  ['a form', 'email=a%40b.co&password=x', { 'Content-Type': 'application/x-www-form-urlencoded' }, 415],
  ['no content type', valid, {}, 415],
  [
    'a body over JSON_BODY_LIMIT',
    JSON.stringify({ email: 'a@b.co', password: 'x'.repeat(200_000) }),
    { 'Content-Type': json },
    413,
  ],
  [
    'a gzip body that inflates past JSON_BODY_LIMIT',
    zlib.gzipSync(Buffer.alloc(20 * 1024 * 1024, 0x20)),
    { 'Content-Type': json, 'Content-Encoding': 'gzip' },
    413,
  ],
  ['arrays nested 5,000 deep', deepArrays(5_000), { 'Content-Type': json }, 400],
  ['objects nested 5,000 deep', deepObjects(5_000), { 'Content-Type': json }, 400],
  [
    'an email nested 5,000 deep',
    `{"email":${deepArrays(5_000)},"password":"x"}`,
    { 'Content-Type': json },
    400,
  ],
  [
    'arrays nested 5,000 deep, gzip-encoded',
    zlib.gzipSync(deepArrays(5_000)),
    { 'Content-Type': json, 'Content-Encoding': 'gzip' },
    400,
  ],
  // 200 kB of brackets: over the size limit before its depth matters.
  ['arrays nested 100,000 deep', deepArrays(100_000), { 'Content-Type': json }, 413],
];

describe.each(['/api/auth/login', '/api/auth/register'])('POST %s: bodies it cannot read', (path) => {
  test.each(cases)('when the body is %s, then %#: a 4xx JSON error', async (_what, body, headers, status) => {
    // Act
    const res = await post(path, body, { 'x-request-id': 'body-case', ...headers });
    // Assert
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ success: false, message: expect.any(String), requestId: 'body-case' });
  });
});

describe('observability of unreadable bodies', () => {
  test('when a body cannot be read, then the HTTP metrics count a 400, never a 500', async () => {
    await post('/api/auth/login', 'definitely not gzip', {
      'Content-Type': json,
      'Content-Encoding': 'gzip',
    });

    const res = await request(svc.internal).get('/metrics');

    expect(res.text).toMatch(/http_request_duration_seconds_count\{[^}]*status_code="400"[^}]*\} [1-9]/);
    expect(res.text).not.toMatch(/http_request_duration_seconds_count\{[^}]*status_code="5\d\d"/);
  });
});
