import { randomUUID } from 'node:crypto';
import { buildRegisterInput } from '@social/testkit/helpers';

/** The tiny HTTP client the e2e, fault and bench scripts share to drive a running stack. */
export interface Reply<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  /** Parsed when the response is JSON, else the text. */
  body: T;
  ms: number;
}

export interface CallOptions {
  token?: string;
  json?: unknown;
  /** A raw body sent as is, with its own content type. */
  raw?: { body: string | Blob | FormData; contentType?: string };
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/** One call; a network failure rejects (fault tests count those). Every call carries its own request id. */
export async function call<T = Record<string, unknown>>(
  baseUrl: string,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = { 'x-request-id': `test-${randomUUID()}`, ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | Blob | FormData | undefined;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.raw) {
    if (options.raw.contentType) headers['content-type'] = options.raw.contentType;
    body = options.raw.body;
  }
  const started = performance.now();
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body,
    signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
  });
  const text = await res.text();
  const isJson = res.headers.get('content-type')?.includes('application/json') ?? false;
  return {
    status: res.status,
    headers: res.headers,
    body: (isJson && text ? JSON.parse(text) : text) as T,
    ms: performance.now() - started,
  };
}

export interface Account {
  userId: string;
  username: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}

export interface RegisterReply {
  user: { id: string };
  accessToken: string;
  refreshToken: string;
}

/** A fresh account through the gateway, and the raw reply (for callers that check it against the spec). */
export async function registerAccount(
  gatewayUrl: string,
): Promise<Account & { reply: Reply<RegisterReply> }> {
  const input = buildRegisterInput();
  const reply = await call<RegisterReply>(gatewayUrl, 'POST', '/v1/auth/register', { json: input });
  if (reply.status !== 201) throw new Error(`register failed: ${reply.status} ${JSON.stringify(reply.body)}`);
  const { user, accessToken, refreshToken } = reply.body;
  return {
    userId: user.id,
    username: input.username,
    email: input.email,
    password: input.password,
    accessToken,
    refreshToken,
    reply,
  };
}
