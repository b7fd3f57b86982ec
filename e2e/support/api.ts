import { randomUUID } from 'node:crypto';
import { assertMatchesSpec } from './openapi';

export const gatewayUrl = (): string => {
  const url = process.env.E2E_GATEWAY_URL;
  if (!url) throw new Error('E2E_GATEWAY_URL is not set: run through `npm run test:e2e`');
  return url;
};

export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

export interface CallOptions {
  token?: string;
  json?: unknown;
  /** A raw body sent as is, with its own content type. */
  raw?: { body: string | Blob | FormData; contentType?: string };
  headers?: Record<string, string>;
  /** The documented path template this call exercises, to validate the response against docs/openapi.yaml. */
  spec?: string;
}

/** One call through the gateway. Responses of documented routes are checked against the OpenAPI document. */
export async function call<T = Record<string, unknown>>(
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { 'x-request-id': `e2e-${randomUUID()}`, ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | Blob | FormData | undefined;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.raw) {
    if (options.raw.contentType) headers['content-type'] = options.raw.contentType;
    body = options.raw.body;
  }
  const res = await fetch(`${gatewayUrl()}${path}`, { method, headers, body });
  const text = await res.text();
  const isJson = res.headers.get('content-type')?.includes('application/json') ?? false;
  const parsed = (isJson && text ? JSON.parse(text) : text) as T;
  if (options.spec) assertMatchesSpec(method, options.spec, res.status, parsed);
  return { status: res.status, headers: res.headers, body: parsed };
}

export interface Account {
  userId: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}

export async function registerAccount(): Promise<Account> {
  const name = `u${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const input = { username: name, email: `${name}@example.com`, password: `pw-${randomUUID()}` };
  const res = await call<{ user: { id: string }; accessToken: string; refreshToken: string }>(
    'POST',
    '/v1/auth/register',
    {
      json: input,
      spec: '/v1/auth/register',
    },
  );
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { userId: res.body.user.id, email: input.email, password: input.password, ...res.body };
}

// A real 1x1 PNG: the media service decides the type from these bytes, not from the name or header.
export const tinyPng = (): Blob =>
  new Blob([
    Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
      'base64',
    ),
  ]);
