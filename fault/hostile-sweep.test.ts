import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { parse } from 'yaml';
import { rawRequest, type RawRequest } from '../e2e/support/raw-http';
import type { RunningStack } from '../scripts/stack/start-stack';
import { deleteBrokerTopology } from './support/broker';
import { ensureSharedInfrastructure } from './support/infra';
import { call, errorShape, register, startFaultStack, type Account, type CallOptions } from './support/stack';

/**
 * A sweep generated from docs/openapi.yaml: every documented route gets every kind of bad input its shape
 * allows (e2e/hostile-input.test.ts keeps a hand-picked first sweep; this one is systematic).
 */
interface Schema {
  type?: string;
  required?: string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  maxLength?: number;
  maxItems?: number;
  minimum?: number;
  maximum?: number;
  oneOf?: Schema[];
  $ref?: string;
}
interface Parameter {
  name: string;
  in: 'path' | 'query';
  required?: boolean;
  schema?: Schema;
  $ref?: string;
}
interface Operation {
  security?: unknown[];
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema?: Schema }> };
}
interface Document {
  paths: Record<string, Record<string, Operation | Parameter[]>>;
  components: { schemas: Record<string, Schema>; parameters: Record<string, Parameter> };
}

const doc = parse(fs.readFileSync(path.resolve(__dirname, '../docs/openapi.yaml'), 'utf8')) as Document;
const schemaOf = (s: Schema): Schema =>
  s.$ref ? (doc.components.schemas[s.$ref.split('/').pop() as string] ?? {}) : s;
const paramOf = (p: Parameter): Parameter =>
  p.$ref ? (doc.components.parameters[p.$ref.split('/').pop() as string] as Parameter) : p;

/** A value that satisfies the documented schema of one field (bases for the one-field-at-a-time mutations). */
const validValue = (name: string, s: Schema): unknown => {
  const schema = schemaOf(s);
  if (schema.type === 'array') return [];
  if (name === 'email') return 'sweep@example.com';
  if (name === 'username') return 'sweep_user';
  if (name === 'password') return 'long-enough-password';
  if (name === 'refreshToken') return 'A'.repeat(43);
  return 'hello';
};

/** A field documented as `oneOf: [..., {type: 'null'}]` takes null (e.g. clearing an avatar): not a wrong type. */
const acceptsNull = (s: Schema): boolean => (s.oneOf ?? []).some((option) => option.type === 'null');

const OPERATORS = [{ $gt: '' }, { $ne: null }, { $where: 'sleep(1000)' }, { $regex: '.*' }];
const WRONG_TYPES: unknown[] = [12345, true, null, [], {}, ...OPERATORS];
const BAD_IDS = [
  'not-an-id',
  '123',
  'g'.repeat(24),
  'a'.repeat(25),
  '%7B%22%24gt%22%3A%22%22%7D',
  '%24where',
  'x'.repeat(3000),
  '__proto__',
  'constructor',
];
const BAD_PAGING = ['abc', '-1', '0', '1.5', '1e9', '99999999999999999999', '%00', '[]'];
const MALFORMED_JSON = ['{', '{"a":}', '[1,2', '{"a":1}}', "{'a':1}", 'null', '[]', '"text"', '12', ''];

type Case = [name: string, method: string, path: string, options: (a: Account) => CallOptions];
const cases: Case[] = [];
const add = (method: string, p: string, what: string, options: (a: Account) => CallOptions): void => {
  cases.push([`${method} ${p.length > 80 ? `${p.slice(0, 77)}...` : p}: ${what}`, method, p, options]);
};

/**
 * The same routes with bodies framed and encoded as clients do it (node:http, which fetch cannot do: Expect,
 * explicit chunks, Content-Encoding). The body inside is always one the route refuses, so every answer is a 4xx.
 */
type Framed = Omit<RawRequest, 'path' | 'method'>;
type FramingCase = [name: string, method: string, path: string, request: (a: Account) => Framed];
const framingCases: FramingCase[] = [];
const addFraming = (method: string, p: string, what: string, request: (a: Account) => Framed): void => {
  framingCases.push([`${method} ${p}: ${what}`, method, p, request]);
};
const piecesOf = (bytes: Buffer, count = 3): Buffer[] => {
  const size = Math.ceil(bytes.length / count);
  return Array.from({ length: count }, (_, i) => bytes.subarray(i * size, (i + 1) * size)).filter(
    (piece) => piece.length > 0,
  );
};
const BIG = 2 * 1024 * 1024;
const GZIP_BOMB = zlib.gzipSync(Buffer.alloc(24 * 1024 * 1024, 0x20));

/** Framing and encoding variants of one refused body, with the content type the route reads. */
function framings(body: Buffer, contentType: string): Array<[what: string, request: Framed]> {
  const type = { 'content-type': contentType };
  const encoded = (encoding: string, bytes: Buffer | string): Framed => ({
    headers: { ...type, 'content-encoding': encoding },
    body: bytes,
  });
  const oversized = Buffer.alloc(BIG + body.length, 0x20);
  body.copy(oversized);
  return [
    ['chunked in three pieces', { headers: type, chunks: piecesOf(body) }],
    ['Expect: 100-continue', { headers: type, body, expectContinue: true }],
    ['chunked with Expect: 100-continue', { headers: type, chunks: piecesOf(body), expectContinue: true }],
    ['gzip', encoded('gzip', zlib.gzipSync(body))],
    ['deflate', encoded('deflate', zlib.deflateSync(body))],
    ['br', encoded('br', zlib.brotliCompressSync(body))],
    ['gzip, chunked', { ...encoded('gzip', ''), body: undefined, chunks: piecesOf(zlib.gzipSync(body)) }],
    ['corrupt gzip', encoded('gzip', 'this is not gzip at all')],
    ['truncated gzip', encoded('gzip', zlib.gzipSync(body).subarray(0, 12))],
    ['corrupt br', encoded('br', 'not brotli')],
    ['Content-Encoding: compress', encoded('compress', body)],
    ['Content-Encoding: x-unknown', encoded('x-unknown', body)],
    ['gzip that inflates to 24 MiB', encoded('gzip', GZIP_BOMB)],
    ['over 2 MiB', { headers: type, body: oversized }],
    ['over 2 MiB, chunked', { headers: type, chunks: piecesOf(oversized, 16) }],
  ];
}

for (const [template, item] of Object.entries(doc.paths)) {
  if (!template.startsWith('/v1/')) continue;
  const pathParams = ((item.parameters ?? []) as Parameter[]).map(paramOf);
  for (const [method, raw] of Object.entries(item)) {
    if (method === 'parameters') continue;
    const op = raw as Operation;
    const M = method.toUpperCase();
    const secured = (op.security?.length ?? 0) > 0;
    const auth = (a: Account): CallOptions => (secured ? { token: a.accessToken } : {});
    const authHeader = (a: Account): Record<string, string> =>
      secured ? { authorization: `Bearer ${a.accessToken}` } : {};
    const params = [...pathParams, ...(op.parameters ?? []).map(paramOf)];
    const concrete = template.replace('{id}', '0123456789abcdef01234567').replace('{key}', 'missing.png');
    const validQuery = params
      .filter((p) => p.in === 'query' && p.required)
      .map((p) => `${p.name}=sweep`)
      .join('&');
    const withQuery = (extra: string): string =>
      `${concrete}?${[validQuery, extra].filter(Boolean).join('&')}`;

    // Path parameters: ids that are not ObjectIds, operator strings, traversal, huge.
    for (const p of params.filter((x) => x.in === 'path')) {
      for (const bad of [...BAD_IDS, '..%2F..%2Fetc%2Fpasswd', '%2e%2e%2f']) {
        add(M, template.replace(`{${p.name}}`, bad), `path ${p.name}=${bad.slice(0, 20)}`, auth);
      }
    }
    // Query parameters: wrong types, out of range, operators, repeated, oversized.
    for (const p of params.filter((x) => x.in === 'query')) {
      const schema = schemaOf(p.schema ?? {});
      const bads =
        schema.type === 'integer'
          ? [...BAD_PAGING, String((schema.maximum ?? 1e6) + 1)]
          : ['', '%20%20', 'q'.repeat((schema.maxLength ?? 200) + 1)];
      for (const bad of bads)
        add(M, withQuery(`${p.name}=${bad}`), `query ${p.name}=${bad.slice(0, 20)}`, auth);
      add(M, withQuery(`${p.name}[$gt]=1`), `query ${p.name} as an operator`, auth);
      add(M, withQuery(`${p.name}=1&${p.name}=2`), `query ${p.name} repeated`, auth);
      add(M, withQuery(`${p.name}[__proto__][x]=1`), `query ${p.name} with a __proto__ key`, auth);
      if (p.required) add(M, concrete, `query ${p.name} missing`, auth);
    }
    if (secured) {
      add(M, concrete, 'no Authorization', () => ({}));
      add(M, concrete, 'a token that is not a JWT', () => ({ token: 'x.y.z' }));
    }

    const json = op.requestBody?.content['application/json']?.schema;
    if (json) {
      const schema = schemaOf(json);
      const props = schema.properties ?? {};
      const valid = Object.fromEntries(
        Object.entries(props)
          .filter(([k]) => schema.required?.includes(k))
          .map(([k, s]) => [k, validValue(k, s)]),
      );
      const body =
        (json: unknown) =>
        (a: Account): CallOptions => ({ ...auth(a), json });
      const rawBody =
        (text: string, contentType?: string) =>
        (a: Account): CallOptions => ({
          ...auth(a),
          raw: { body: text, contentType },
        });
      for (const field of schema.required ?? []) {
        const { [field]: _dropped, ...rest } = valid;
        add(M, concrete, `body without ${field}`, body(rest));
      }
      for (const [field, s] of Object.entries(props)) {
        const fieldSchema = schemaOf(s);
        for (const wrong of WRONG_TYPES) {
          if (fieldSchema.type === 'array' && Array.isArray(wrong)) continue;
          if (wrong === null && acceptsNull(fieldSchema)) continue;
          add(M, concrete, `body ${field}=${JSON.stringify(wrong)}`, body({ ...valid, [field]: wrong }));
        }
        if (fieldSchema.type === 'string') {
          if (fieldSchema.maxLength) {
            add(
              M,
              concrete,
              `body ${field} of ${fieldSchema.maxLength + 1} chars`,
              body({ ...valid, [field]: 'y'.repeat(fieldSchema.maxLength + 1) }),
            );
          }
          add(M, concrete, `body ${field} of 1 MiB`, body({ ...valid, [field]: 'y'.repeat(1024 * 1024) }));
        }
        if (fieldSchema.type === 'array') {
          for (const item of ['not-an-id', 'g'.repeat(24), ...OPERATORS]) {
            add(M, concrete, `body ${field}=[${JSON.stringify(item)}]`, body({ ...valid, [field]: [item] }));
          }
          const tooMany = Array.from(
            { length: (fieldSchema.maxItems ?? 1000) + 1 },
            () => '0123456789abcdef01234567',
          );
          add(
            M,
            concrete,
            `body ${field} with ${tooMany.length} items`,
            body({ ...valid, [field]: tooMany }),
          );
        }
      }
      add(M, concrete, 'body with an extra field', body({ ...valid, isAdmin: true }));
      add(M, concrete, 'body with a $where key', body({ ...valid, $where: '1' }));
      add(
        M,
        concrete,
        'body with a __proto__ key',
        rawBody(`{"__proto__":{"isAdmin":true},${JSON.stringify(valid).slice(1)}`, 'application/json'),
      );
      add(
        M,
        concrete,
        'body with a constructor key',
        body({ ...valid, constructor: { prototype: { isAdmin: true } } }),
      );
      for (const text of MALFORMED_JSON)
        add(M, concrete, `malformed JSON ${JSON.stringify(text)}`, rawBody(text, 'application/json'));
      add(M, concrete, 'body as text/plain', rawBody(JSON.stringify(valid), 'text/plain'));
      add(
        M,
        concrete,
        'body as a form',
        rawBody(
          new URLSearchParams(valid as Record<string, string>).toString(),
          'application/x-www-form-urlencoded',
        ),
      );
      add(M, concrete, 'body as XML', rawBody('<a>1</a>', 'application/xml'));
      add(M, concrete, 'body with no content type', rawBody(JSON.stringify(valid)));
      add(
        M,
        concrete,
        'body as JSON with a charset that does not exist',
        rawBody(JSON.stringify(valid), 'application/json; charset=klingon'),
      );
      // Refused for its content (required fields missing, an unknown one), however it is framed.
      const refused = Buffer.from(JSON.stringify({ isAdmin: true }));
      for (const [what, request] of framings(refused, 'application/json')) {
        addFraming(M, concrete, `JSON body ${what}`, (a) => ({
          ...request,
          headers: { ...authHeader(a), ...request.headers },
        }));
      }
      for (const [what, request] of framings(refused, 'text/plain')) {
        if (what.startsWith('chunked') || what === 'gzip' || what === 'Expect: 100-continue') {
          addFraming(M, concrete, `text/plain body ${what}`, (a) => ({
            ...request,
            headers: { ...authHeader(a), ...request.headers },
          }));
        }
      }
      addFraming(M, concrete, 'JSON nested 5,000 deep, chunked', (a) => ({
        headers: { ...authHeader(a), 'content-type': 'application/json' },
        chunks: piecesOf(Buffer.from('['.repeat(5_000) + ']'.repeat(5_000))),
      }));
    }
    if (op.requestBody?.content['multipart/form-data']) {
      // A form with no `file` part: refused for its content, however it is framed.
      const boundary = 'sweep-boundary';
      const form = Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\nno file here\r\n--${boundary}--\r\n`,
      );
      for (const [what, request] of framings(form, `multipart/form-data; boundary=${boundary}`)) {
        addFraming(M, concrete, `multipart body ${what}`, (a) => ({
          ...request,
          headers: { ...authHeader(a), ...request.headers },
        }));
      }
      add(M, concrete, 'a JSON body instead of multipart', (a) => ({ ...auth(a), json: { file: 'x' } }));
      add(M, concrete, 'the file under another field name', (a) => {
        const form = new FormData();
        form.append('upload', new Blob(['x']), 'x.png');
        return { ...auth(a), raw: { body: form } };
      });
      add(M, concrete, 'two files', (a) => {
        const form = new FormData();
        form.append('file', new Blob(['x']), 'a.png');
        form.append('file', new Blob(['y']), 'b.png');
        return { ...auth(a), raw: { body: form } };
      });
      add(M, concrete, 'a broken multipart body', (a) => ({
        ...auth(a),
        raw: {
          body: '--xyz\r\nContent-Disposition: form-data; name="file"\r\n\r\nno end',
          contentType: 'multipart/form-data; boundary=xyz',
        },
      }));
    }
  }
}

describe('hostile input sweep from docs/openapi.yaml', () => {
  let stack: RunningStack;
  let account: Account;

  beforeAll(async () => {
    stack = await startFaultStack();
    account = await register(stack.gatewayUrl);
  });

  afterAll(async () => {
    await stack?.stop();
    await ensureSharedInfrastructure();
    if (stack) await deleteBrokerTopology(stack);
  });

  test('the sweep covers every documented /v1 operation', () => {
    const swept = new Set(
      cases.map(([, m, p]) => `${m} ${p.split('?')[0]?.split('/').slice(0, 3).join('/')}`),
    );
    expect(cases.length).toBeGreaterThan(200);
    expect(swept.size).toBeGreaterThanOrEqual(5);
  });

  test('the sweep frames and encodes the body of every documented operation that takes one', () => {
    const withBody = Object.values(doc.paths).flatMap((item) =>
      Object.entries(item).filter(
        ([method, op]) => method !== 'parameters' && (op as Operation).requestBody !== undefined,
      ),
    );
    const framed = new Set(framingCases.map(([, m, p]) => `${m} ${p}`));
    expect(framed.size).toBe(withBody.length);
  });

  test.each(framingCases)('when %s, then a 4xx with the error shape', async (_name, method, p, request) => {
    const res = await rawRequest(stack.gatewayUrl, { method, path: p, ...request(account) });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.body).toMatchObject(errorShape);
  });

  test.each(cases)('when %s, then a 4xx with the error shape', async (_name, method, p, options) => {
    const res = await call(stack.gatewayUrl, method, p, options(account));
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.body).toMatchObject(errorShape);
    expect(JSON.stringify(res.body)).not.toMatch(/\bat .+\.(js|ts):\d+/);
  });
});
