import { randomBytes, randomUUID } from 'node:crypto';
import { startStack, type RunningStack, type StackOptions } from '../../scripts/stack/start-stack';

/** Limits far above what a fault test sends: these tests are about faults, not the limiter. */
export const RELAXED_LIMITS: Record<string, string> = {
  RATE_LIMIT_IP_MAX: '1000000',
  RATE_LIMIT_USER_MAX: '1000000',
  AUTH_RATE_LIMIT_MAX: '100000',
  LOGIN_RATE_LIMIT_MAX: '100000',
};

export function startFaultStack(options: StackOptions = {}): Promise<RunningStack> {
  // TRUST_PROXY explicit: the gateway's joi default 'false' skips its converter and crashes Express (reported).
  return startStack({ ...options, shared: { TRUST_PROXY: 'false', ...RELAXED_LIMITS, ...options.shared } });
}

export interface Reply<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
  ms: number;
}

export interface CallOptions {
  token?: string;
  json?: unknown;
  raw?: { body: string | Blob | FormData; contentType?: string };
  timeoutMs?: number;
}

/** One HTTP call; the body is parsed when it is JSON. A network failure rejects (that is what tests count). */
export async function call<T = Record<string, unknown>>(
  baseUrl: string,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = { 'x-request-id': `fault-${randomUUID()}` };
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
  email: string;
  password: string;
  accessToken: string;
}

export async function register(gatewayUrl: string): Promise<Account> {
  const name = `f${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const input = { username: name, email: `${name}@example.com`, password: `pw-${randomUUID()}` };
  const res = await call<{ user: { id: string }; accessToken: string }>(
    gatewayUrl,
    'POST',
    '/v1/auth/register',
    {
      json: input,
    },
  );
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  return {
    userId: res.body.user.id,
    email: input.email,
    password: input.password,
    accessToken: res.body.accessToken,
  };
}

/** A word no other post contains (letters only, so stemming leaves it whole): searching it finds one run's posts. */
export const marker = (): string =>
  `zq${[...randomBytes(8)].map((b) => String.fromCharCode(97 + (b % 26))).join('')}`;

export async function createPost(
  gatewayUrl: string,
  token: string,
  content: string,
): Promise<Reply<{ post: { id: string } }>> {
  return call<{ post: { id: string } }>(gatewayUrl, 'POST', '/v1/posts/create-post', {
    token,
    json: { content },
  });
}

interface SearchPage {
  results: { postId: string }[];
}

/** Every postId the search API returns for `word`, page by page (duplicates kept, so tests can see them). */
export async function searchAll(gatewayUrl: string, token: string, word: string): Promise<string[]> {
  const ids: string[] = [];
  for (let page = 1; page <= 200; page++) {
    const res = await call<SearchPage>(
      gatewayUrl,
      'GET',
      `/v1/search/posts?query=${word}&limit=50&page=${page}`,
      {
        token,
      },
    );
    if (res.status !== 200) throw new Error(`search answered ${res.status}: ${JSON.stringify(res.body)}`);
    ids.push(...res.body.results.map((r) => r.postId));
    if (res.body.results.length < 50) break;
  }
  return ids;
}

/** True when search holds exactly `expected` for `word`: each once, nothing else. */
export async function searchIsExactly(
  gatewayUrl: string,
  token: string,
  word: string,
  expected: ReadonlySet<string>,
): Promise<boolean> {
  const ids = await searchAll(gatewayUrl, token, word);
  return (
    ids.length === expected.size && new Set(ids).size === ids.length && ids.every((id) => expected.has(id))
  );
}

/** A counter's value from a Prometheus text page (sum over series matching every given label). */
export async function metricValue(
  baseUrl: string,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

export const errorShape = {
  success: false,
  message: expect.any(String),
  requestId: expect.any(String),
};
