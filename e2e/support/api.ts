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
