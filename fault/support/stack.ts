import { randomBytes } from 'node:crypto';
import { call, registerAccount, type Account, type Reply } from '../../scripts/stack/http-client';
import { startStack, type RunningStack, type StackOptions } from '../../scripts/stack/start-stack';

/** Limits far above what a fault test sends: these tests are about faults, not the limiter. */
export const RELAXED_LIMITS: Record<string, string> = {
  RATE_LIMIT_IP_MAX: '1000000',
  RATE_LIMIT_USER_MAX: '1000000',
  AUTH_RATE_LIMIT_MAX: '100000',
  AUTH_IP_RATE_LIMIT_MAX: '100000',
};

export function startFaultStack(options: StackOptions = {}): Promise<RunningStack> {
  return startStack({ ...options, shared: { ...RELAXED_LIMITS, ...options.shared } });
}

export { call, type Account, type CallOptions, type Reply } from '../../scripts/stack/http-client';

export async function register(gatewayUrl: string): Promise<Account> {
  const { reply: _reply, ...account } = await registerAccount(gatewayUrl);
  return account;
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
