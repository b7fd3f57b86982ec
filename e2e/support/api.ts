import {
  call as stackCall,
  registerAccount as registerThroughGateway,
  type Account,
  type CallOptions as StackCallOptions,
  type Reply,
} from '../../scripts/stack/http-client';
import { assertMatchesSpec } from './openapi';

export const gatewayUrl = (): string => {
  const url = process.env.E2E_GATEWAY_URL;
  if (!url) throw new Error('E2E_GATEWAY_URL is not set: run through `npm run test:e2e`');
  return url;
};

/** The gateway's Prometheus page, on its internal METRICS_PORT (set by the global setup). */
export const gatewayMetricsUrl = (): string => {
  const url = process.env.E2E_GATEWAY_METRICS_URL;
  if (!url) throw new Error('E2E_GATEWAY_METRICS_URL is not set: run through `npm run test:e2e`');
  return url;
};

/** The sum of a counter's series on the gateway's metrics page, e.g. `gateway_upstream_errors_total`. */
export async function gatewayCounter(name: string): Promise<number> {
  const text = await (await fetch(gatewayMetricsUrl())).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

export interface CallOptions extends StackCallOptions {
  /** The documented path template this call exercises, to validate the response against docs/openapi.yaml. */
  spec?: string;
}

/** One call through the gateway. Responses of documented routes are checked against the OpenAPI document. */
export async function call<T = Record<string, unknown>>(
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<Reply<T>> {
  const { spec, ...rest } = options;
  const res = await stackCall<T>(gatewayUrl(), method, path, rest);
  if (spec) assertMatchesSpec(method, spec, res.status, res.body);
  return res;
}

export type { Account };

export async function registerAccount(): Promise<Account> {
  const { reply, ...account } = await registerThroughGateway(gatewayUrl());
  assertMatchesSpec('POST', '/v1/auth/register', reply.status, reply.body);
  return account;
}

// A real 1x1 PNG: the media service decides the type from these bytes, not from the name or header.
export const tinyPng = (): Blob =>
  new Blob([
    Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
      'base64',
    ),
  ]);
