import { call, registerAccount, type Account } from './support/api';
import { openApi } from './support/openapi';

const SAMPLE_ID = '64b7f0c2a1b2c3d4e5f60718';
const operations = Object.entries(openApi.paths).flatMap(([template, ops]) =>
  Object.keys(ops)
    .filter((m) => ['get', 'post', 'delete', 'put', 'patch'].includes(m))
    .map((method) => [method.toUpperCase(), template] as const),
);

describe('docs/openapi.yaml against the running gateway', () => {
  let account: Account;
  beforeAll(async () => {
    account = await registerAccount();
  });

  test.each(operations)(
    'when %s %s is called, then a route answers it (no "Route not found")',
    async (method, template) => {
      const path = template.replace('{id}', SAMPLE_ID).replace('{key}', 'missing-key');
      const res = await call(method, path, {
        token: account.accessToken,
        ...(method === 'POST' ? { json: {} } : {}),
      });
      expect(res.body).not.toMatchObject({ message: 'Route not found' });
    },
  );

  test('when the gateway serves /docs, then the documented spec comes with it', async () => {
    const html = await call('GET', '/docs/');
    expect(html.status).toBe(200);
    const spec = await call('GET', '/docs/openapi.yaml');
    expect(spec.status).toBe(200);
    expect(String(spec.body)).toContain('/v1/posts/create-post');
  });

  test('when every public prefix is listed, then each one is documented', () => {
    const documented = Object.keys(openApi.paths);
    for (const prefix of ['/v1/auth/', '/v1/posts/', '/v1/media', '/v1/search/']) {
      expect(documented.some((p) => p.startsWith(prefix))).toBe(true);
    }
  });
});
