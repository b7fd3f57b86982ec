import { randomUUID } from 'node:crypto';
import { call, registerAccount, type Account } from './support/api';

type Case = [name: string, method: string, path: string, options: (a: Account) => Parameters<typeof call>[2]];

const huge = 'x'.repeat(2 * 1024 * 1024);

const cases: Case[] = [
  [
    'login with operator objects',
    'POST',
    '/v1/auth/login',
    () => ({ json: { email: { $gt: '' }, password: { $gt: '' } } }),
  ],
  [
    'register with extra fields',
    'POST',
    '/v1/auth/register',
    () => ({ json: { username: 'abc', email: 'a@b.co', password: 'x'.repeat(10), role: 'admin' } }),
  ],
  [
    'register with a prototype-pollution key',
    'POST',
    '/v1/auth/register',
    () => ({
      raw: {
        body: '{"__proto__":{"admin":true},"username":"abcd","email":"p@b.co","password":"xxxxxxxxxx"}',
        contentType: 'application/json',
      },
    }),
  ],
  [
    'register with a constructor key',
    'POST',
    '/v1/auth/register',
    () => ({
      json: {
        constructor: { prototype: { x: 1 } },
        username: 'abcd',
        email: 'c@b.co',
        password: 'xxxxxxxxxx',
      },
    }),
  ],
  [
    'register with wrongly typed fields',
    'POST',
    '/v1/auth/register',
    () => ({ json: { username: 123, email: true, password: ['x'] } }),
  ],
  [
    'login with malformed JSON',
    'POST',
    '/v1/auth/login',
    () => ({ raw: { body: '{"email":', contentType: 'application/json' } }),
  ],
  [
    'login as text/plain',
    'POST',
    '/v1/auth/login',
    () => ({ raw: { body: 'email=a', contentType: 'text/plain' } }),
  ],
  ['login with a huge body', 'POST', '/v1/auth/login', () => ({ json: { email: 'a@b.co', password: huge } })],
  [
    'refresh with an object token',
    'POST',
    '/v1/auth/refresh-token',
    () => ({ json: { refreshToken: { $ne: null } } }),
  ],
  [
    'create a post with an operator object',
    'POST',
    '/v1/posts/create-post',
    (a) => ({ token: a.accessToken, json: { content: { $gt: '' } } }),
  ],
  [
    'create a post with a huge body',
    'POST',
    '/v1/posts/create-post',
    (a) => ({ token: a.accessToken, json: { content: huge } }),
  ],
  [
    'create a post with 5001 characters',
    'POST',
    '/v1/posts/create-post',
    (a) => ({ token: a.accessToken, json: { content: 'y'.repeat(5001) } }),
  ],
  [
    'create a post with bad media ids',
    'POST',
    '/v1/posts/create-post',
    (a) => ({ token: a.accessToken, json: { content: 'hi', mediaIds: ['nope', { $gt: '' }] } }),
  ],
  [
    'create a post with a prototype-pollution key',
    'POST',
    '/v1/posts/create-post',
    (a) => ({
      token: a.accessToken,
      raw: { body: '{"content":"hi","__proto__":{"x":1}}', contentType: 'application/json' },
    }),
  ],
  [
    'create a post whose JSON is not UTF-8',
    'POST',
    '/v1/posts/create-post',
    (a) => ({
      token: a.accessToken,
      raw: {
        body: new Blob([Buffer.from('{"content":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]),
        contentType: 'application/json',
      },
    }),
  ],
  [
    'create a post with a control character',
    'POST',
    '/v1/posts/create-post',
    (a) => ({ token: a.accessToken, json: { content: 'ring \u0007 ring' } }),
  ],
  [
    'create a post as a form',
    'POST',
    '/v1/posts/create-post',
    (a) => ({
      token: a.accessToken,
      raw: { body: 'content=hi', contentType: 'application/x-www-form-urlencoded' },
    }),
  ],
  ['list posts with limit 1000', 'GET', '/v1/posts/all-posts?limit=1000', (a) => ({ token: a.accessToken })],
  ['list posts with page -1', 'GET', '/v1/posts/all-posts?page=-1', (a) => ({ token: a.accessToken })],
  [
    'list posts with page as an operator',
    'GET',
    '/v1/posts/all-posts?page[$gt]=1',
    (a) => ({ token: a.accessToken }),
  ],
  ['get a post by a bad id', 'GET', '/v1/posts/not-an-id', (a) => ({ token: a.accessToken })],
  [
    'get a post by an operator id',
    'GET',
    '/v1/posts/%7B%22%24gt%22%3A%22%22%7D',
    (a) => ({ token: a.accessToken }),
  ],
  ['delete a post by a bad id', 'DELETE', '/v1/posts/123', (a) => ({ token: a.accessToken })],
  ['get media by a bad id', 'GET', '/v1/media/zzz', (a) => ({ token: a.accessToken })],
  [
    'upload with no file',
    'POST',
    '/v1/media/upload',
    (a) => ({ token: a.accessToken, raw: { body: new FormData() } }),
  ],
  [
    'upload a text file',
    'POST',
    '/v1/media/upload',
    (a) => {
      const form = new FormData();
      form.append('file', new Blob(['just text, not an image']), 'fake.png');
      return { token: a.accessToken, raw: { body: form } };
    },
  ],
  ['read a local file with a traversal key', 'GET', '/v1/media/files/..%2F..%2Fetc%2Fpasswd', () => ({})],
  [
    'search with an array query',
    'GET',
    '/v1/search/posts?query=a&query=b',
    (a) => ({ token: a.accessToken }),
  ],
  [
    'search with an operator query',
    'GET',
    '/v1/search/posts?query[$ne]=x',
    (a) => ({ token: a.accessToken }),
  ],
  ['search with an empty query', 'GET', '/v1/search/posts?query=%20%20', (a) => ({ token: a.accessToken })],
  [
    'search with a 201-character query',
    'GET',
    `/v1/search/posts?query=${'q'.repeat(201)}`,
    (a) => ({ token: a.accessToken }),
  ],
  ['posts with a garbage token', 'GET', '/v1/posts/all-posts', () => ({ token: 'garbage.token.here' })],
  [
    'posts with an alg:none token',
    'GET',
    '/v1/posts/all-posts',
    (a) => {
      const [, payload] = a.accessToken.split('.');
      const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
      return { token: `${header}.${payload}.` };
    },
  ],
  [
    'posts with a tampered token',
    'GET',
    '/v1/posts/all-posts',
    (a) => ({ token: `${a.accessToken.slice(0, -4)}AAAA` }),
  ],
  [
    'posts with a forged x-user-id only',
    'GET',
    '/v1/posts/all-posts',
    () => ({ headers: { 'x-user-id': '64b7f0c2a1b2c3d4e5f60718' } }),
  ],
  ['an unknown route', 'GET', `/v1/nothing-${randomUUID()}`, () => ({})],
  // A malformed percent-encoding in any path parameter is the client's mistake.
  ['get a post by %ff', 'GET', '/v1/posts/%ff', (a) => ({ token: a.accessToken })],
  ['delete a post by a cut escape', 'DELETE', '/v1/posts/%E0%A4%A', (a) => ({ token: a.accessToken })],
  ['get media by %ff', 'GET', '/v1/media/%ff', (a) => ({ token: a.accessToken })],
  ['read a local file by %ff', 'GET', '/v1/media/files/%ff', () => ({})],
  ['read a local file by a lone %', 'GET', '/v1/media/files/a%', () => ({})],
  [
    'upload multipart without a boundary',
    'POST',
    '/v1/media/upload',
    (a) => ({ token: a.accessToken, raw: { body: '--x\r\n\r\n', contentType: 'multipart/form-data' } }),
  ],
  [
    'upload a truncated multipart body',
    'POST',
    '/v1/media/upload',
    (a) => ({
      token: a.accessToken,
      raw: {
        body: '--b\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\n\x89PNG',
        contentType: 'multipart/form-data; boundary=b',
      },
    }),
  ],
];

describe('hostile input through the gateway', () => {
  let account: Account;
  beforeAll(async () => {
    account = await registerAccount();
  });

  test.each(cases)('when %s, then a 4xx with the error shape', async (_name, method, path, options) => {
    const res = await call(method, path, options(account));
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.body).toMatchObject({
      success: false,
      message: expect.any(String),
      requestId: expect.any(String),
    });
    expect(JSON.stringify(res.body)).not.toMatch(/\bat .+\.(js|ts):\d+/);
  });
});
