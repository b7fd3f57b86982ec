import { startStack, type RunningStack } from '../../scripts/stack/start-stack';

declare global {
  var __E2E_STACK__: RunningStack | undefined;
}

/**
 * Starts the five services as processes, or, with `E2E_BASE_URL` set (e.g. `http://localhost:3000` after
 * `docker compose up`), drives a stack that is already running there; its gateway's internal metrics page is
 * then `E2E_GATEWAY_METRICS_URL` (compose publishes it on the host's loopback only, port 9000).
 */
export default async function globalSetup(): Promise<void> {
  const baseUrl = process.env.E2E_BASE_URL;
  if (baseUrl) {
    process.env.E2E_GATEWAY_URL = baseUrl.replace(/\/+$/, '');
    process.env.E2E_GATEWAY_METRICS_URL ??= 'http://127.0.0.1:9000/metrics';
    return;
  }
  // Every request comes from this one machine: the per-IP limits are lifted for the suite (the per-email login
  // limit keeps its production value, user-journey hammers it; the gateway's limits have their own tests).
  const stack = await startStack({
    shared: {
      AUTH_RATE_LIMIT_MAX: '10',
      AUTH_IP_RATE_LIMIT_MAX: '10000',
      RATE_LIMIT_IP_MAX: '100000',
      RATE_LIMIT_USER_MAX: '100000',
    },
  });
  globalThis.__E2E_STACK__ = stack;
  // Test files run in workers spawned after this: the environment is how they find the stack.
  process.env.E2E_GATEWAY_URL = stack.gatewayUrl;
  process.env.E2E_GATEWAY_METRICS_URL = `${stack.internalUrls['api-gateway']}/metrics`;
}
