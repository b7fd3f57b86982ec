import { randomUUID } from 'node:crypto';
import zlib from 'node:zlib';
import { buildRegisterInput } from '@social/testkit/helpers';
import { gatewayCounter, gatewayUrl } from './support/api';
import { rawBytes, rawRequest, type RawReply, type RawRequest } from './support/raw-http';

/**
 * Login and register bodies as real clients frame them, through the real gateway to the real identity-service:
 * the gateway streams every body untouched, identity-service reads it (or refuses it in JSON), and nothing a
 * client sends can make the gateway report an upstream failure.
 */
const UPSTREAM_ERRORS = 'gateway_upstream_errors_total';
const JSON_TYPE = { 'content-type': 'application/json' };

const piecesOf = (bytes: Buffer, count = 3): Buffer[] => {
  const size = Math.ceil(bytes.length / count);
  return Array.from({ length: count }, (_, i) => bytes.subarray(i * size, (i + 1) * size)).filter(
    (piece) => piece.length > 0,
  );
};
const deepArrays = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);
const deepObjects = (depth: number): string => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

/** Sends through the gateway and checks the gateway's upstream-error counter did not move meanwhile. */
async function send(path: string, request: Omit<RawRequest, 'path'>): Promise<RawReply> {
  const before = await gatewayCounter(UPSTREAM_ERRORS);
  const reply = await rawRequest(gatewayUrl(), { path, ...request });
  expect(await gatewayCounter(UPSTREAM_ERRORS)).toBe(before);
  return reply;
}

const expectError = (reply: RawReply, status: number, requestId: string): void => {
  expect(reply.status).toBe(status);
  expect(reply.headers['content-type']).toMatch(/^application\/json/);
  expect(reply.body).toMatchObject({ success: false, message: expect.any(String), requestId });
};

// How a client may frame the same JSON body; the gateway must pass each one on as it is.
type Framing = [name: string, frame: (body: Buffer) => Omit<RawRequest, 'path'>];
const framings: Framing[] = [
  ['Content-Length', (body) => ({ headers: JSON_TYPE, body })],
  ['Expect: 100-continue', (body) => ({ headers: JSON_TYPE, body, expectContinue: true })],
  ['Transfer-Encoding: chunked (three chunks)', (body) => ({ headers: JSON_TYPE, chunks: piecesOf(body) })],
  ['gzip', (body) => ({ headers: { ...JSON_TYPE, 'content-encoding': 'gzip' }, body: zlib.gzipSync(body) })],
  [
    'deflate',
    (body) => ({ headers: { ...JSON_TYPE, 'content-encoding': 'deflate' }, body: zlib.deflateSync(body) }),
  ],
  [
    'br',
    (body) => ({ headers: { ...JSON_TYPE, 'content-encoding': 'br' }, body: zlib.brotliCompressSync(body) }),
  ],
  [
    'zstd',
    (body) => ({ headers: { ...JSON_TYPE, 'content-encoding': 'zstd' }, body: zlib.zstdCompressSync(body) }),
  ],
  [
    'gzip, chunked and Expect: 100-continue together',
    (body) => ({
      headers: { ...JSON_TYPE, 'Content-Encoding': 'GZIP' },
      chunks: piecesOf(zlib.gzipSync(body)),
      expectContinue: true,
    }),
  ],
];

describe('POST /v1/auth/register and /login: however the client frames the body, it signs in', () => {
  test.each(framings)('when both bodies are framed as %s, then 201 and 200', async (name, frame) => {
    // Arrange
    const account = buildRegisterInput();
    const credentials = { email: account.email, password: account.password };
    // Act
    const registered = await send('/v1/auth/register', frame(Buffer.from(JSON.stringify(account))));
    const loggedIn = await send('/v1/auth/login', frame(Buffer.from(JSON.stringify(credentials))));
    // Assert
    expect(registered).toMatchObject({
      status: 201,
      body: { success: true, user: { username: account.username, email: account.email } },
    });
    expect(loggedIn).toMatchObject({ status: 200, body: { success: true, accessToken: expect.any(String) } });
    if (name.includes('Expect')) expect([registered.continued, loggedIn.continued]).toEqual([true, true]);
  });
});

// Bodies identity-service cannot read. Each is sent to both routes; none may come back as a 5xx or upstream error.
type BadBody = [what: string, status: number, request: () => Omit<RawRequest, 'path'>];
const sample = Buffer.from(JSON.stringify({ email: 'someone@example.com', password: 'long-enough-pw' }));
const huge = Buffer.from(JSON.stringify({ email: 'a@b.co', password: 'x'.repeat(2 * 1024 * 1024) }));
const badBodies: BadBody[] = [
  ['malformed JSON', 400, () => ({ headers: JSON_TYPE, body: '{"email":' })],
  [
    'a corrupt gzip body',
    400,
    () => ({ headers: { ...JSON_TYPE, 'content-encoding': 'gzip' }, body: 'this is not gzip' }),
  ],
  [
    'a truncated gzip body',
    400,
    () => ({
      headers: { ...JSON_TYPE, 'content-encoding': 'gzip' },
      body: zlib.gzipSync(sample).subarray(0, 15),
    }),
  ],
  [
    'a corrupt gzip body, chunked',
    400,
    () => ({
      headers: { ...JSON_TYPE, 'content-encoding': 'gzip' },
      chunks: ['\x1f\x8b', 'garbage', 'more'],
    }),
  ],
  [
    'a corrupt deflate body',
    400,
    () => ({ headers: { ...JSON_TYPE, 'content-encoding': 'deflate' }, body: 'not deflate' }),
  ],
  [
    'a corrupt br body',
    400,
    () => ({ headers: { ...JSON_TYPE, 'content-encoding': 'br' }, body: 'not br!' }),
  ],
  [
    'Content-Encoding: compress',
    415,
    () => ({ headers: { ...JSON_TYPE, 'content-encoding': 'compress' }, body: sample }),
  ],
  [
    'Content-Encoding: x-unknown',
    415,
    () => ({ headers: { ...JSON_TYPE, 'content-encoding': 'x-unknown' }, body: sample }),
  ],
  [
    'two stacked encodings',
    415,
    () => ({
      headers: { ...JSON_TYPE, 'content-encoding': 'gzip, gzip' },
      body: zlib.gzipSync(zlib.gzipSync(sample)),
    }),
  ],
  [
    'a charset that does not exist',
    415,
    () => ({ headers: { 'content-type': 'application/json; charset=klingon' }, body: sample }),
  ],
  ['text/plain', 415, () => ({ headers: { 'content-type': 'text/plain' }, body: sample })],
  [
    'a form',
    415,
    () => ({ headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=a%40b.co' }),
  ],
  ['no content type', 415, () => ({ body: sample })],
  [
    'text/plain, chunked',
    415,
    () => ({ headers: { 'content-type': 'text/plain' }, chunks: piecesOf(sample) }),
  ],
  ['arrays nested 5,000 deep', 400, () => ({ headers: JSON_TYPE, body: deepArrays(5_000) })],
  ['objects nested 5,000 deep', 400, () => ({ headers: JSON_TYPE, body: deepObjects(5_000) })],
  [
    'an email nested 5,000 deep',
    400,
    () => ({ headers: JSON_TYPE, body: `{"email":${deepArrays(5_000)},"password":"x"}` }),
  ],
  [
    'arrays nested 5,000 deep, gzip, chunked, with Expect',
    400,
    () => ({
      headers: { ...JSON_TYPE, 'content-encoding': 'gzip' },
      chunks: piecesOf(zlib.gzipSync(deepArrays(5_000))),
      expectContinue: true,
    }),
  ],
  // 200 kB and 600 kB of nesting: over the body limit before their depth matters.
  ['arrays nested 100,000 deep', 413, () => ({ headers: JSON_TYPE, body: deepArrays(100_000) })],
  ['objects nested 100,000 deep', 413, () => ({ headers: JSON_TYPE, body: deepObjects(100_000) })],
  ['a 2 MiB body', 413, () => ({ headers: JSON_TYPE, body: huge })],
  ['a 2 MiB body, chunked', 413, () => ({ headers: JSON_TYPE, chunks: piecesOf(huge, 8) })],
  ['a 2 MiB body with Expect', 413, () => ({ headers: JSON_TYPE, body: huge, expectContinue: true })],
  [
    'gzip that inflates to 20 MiB',
    413,
    () => ({
      headers: { ...JSON_TYPE, 'content-encoding': 'gzip' },
      body: zlib.gzipSync(Buffer.alloc(20 * 1024 * 1024, 0x20)),
    }),
  ],
];

describe.each(['/v1/auth/register', '/v1/auth/login'])('POST %s: bodies it cannot read', (path) => {
  test.each(badBodies)('when the body is %s, then %i JSON', async (_what, status, request) => {
    // Arrange
    const requestId = `framing-${randomUUID()}`;
    const raw = request();
    // Act
    const reply = await send(path, { ...raw, headers: { ...raw.headers, 'x-request-id': requestId } });
    // Assert
    expectError(reply, status, requestId);
  });
});

describe('framing the gateway refuses itself', () => {
  const login = '{"email":"a@b.co","password":"x"}';

  test('when a request carries both Content-Length and Transfer-Encoding, then 400 JSON', async () => {
    const before = await gatewayCounter(UPSTREAM_ERRORS);

    const reply = await rawBytes(
      gatewayUrl(),
      'POST /v1/auth/login HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\nConnection: close\r\n' +
        `Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n${login.length.toString(16)}\r\n${login}\r\n0\r\n\r\n`,
    );

    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject({
      success: false,
      message: expect.any(String),
      requestId: expect.any(String),
    });
    expect(await gatewayCounter(UPSTREAM_ERRORS)).toBe(before);
  });

  test('when the chunk framing breaks mid-body, then 400 JSON and no upstream error', async () => {
    const before = await gatewayCounter(UPSTREAM_ERRORS);

    const reply = await rawBytes(
      gatewayUrl(),
      'POST /v1/auth/login HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\nConnection: close\r\n' +
        'Transfer-Encoding: chunked\r\n\r\n5\r\n{"ema\r\nnot-hex\r\nil":1}\r\n0\r\n\r\n',
    );

    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject({ success: false, requestId: expect.any(String) });
    expect(await gatewayCounter(UPSTREAM_ERRORS)).toBe(before);
  });

  test('when the client expects anything but 100-continue, then 417 JSON', async () => {
    const requestId = `framing-${randomUUID()}`;

    const reply = await send('/v1/auth/login', {
      headers: { ...JSON_TYPE, expect: 'something-else', 'x-request-id': requestId },
      body: login,
    });

    expectError(reply, 417, requestId);
  });
});

describe('a burst of Expect: 100-continue logins', () => {
  test('when 50 arrive at once, then every one gets its answer well within the proxy timeout, and login still works', async () => {
    // Arrange
    const before = await gatewayCounter(UPSTREAM_ERRORS);
    const account = buildRegisterInput();
    await send('/v1/auth/register', { headers: JSON_TYPE, body: JSON.stringify(account) });
    // Act: unknown accounts, so each one costs a real argon2 verify
    const burst = await Promise.all(
      Array.from({ length: 50 }, () =>
        rawRequest(gatewayUrl(), {
          path: '/v1/auth/login',
          headers: JSON_TYPE,
          body: JSON.stringify({ email: buildRegisterInput().email, password: 'wrong-password' }),
          expectContinue: true,
        }),
      ),
    );
    const after = await send('/v1/auth/login', {
      headers: JSON_TYPE,
      body: JSON.stringify({ email: account.email, password: account.password }),
      expectContinue: true,
    });
    // Assert
    expect(burst.map((r) => r.status)).toEqual(Array<number>(50).fill(401));
    expect(burst.every((r) => r.continued)).toBe(true);
    expect(Math.max(...burst.map((r) => r.ms))).toBeLessThan(8_000);
    expect(after.status).toBe(200);
    expect(await gatewayCounter(UPSTREAM_ERRORS)).toBe(before);
  });
});
