import { startStack, type RunningStack } from '../../scripts/stack/start-stack';

declare global {
  var __E2E_STACK__: RunningStack | undefined;
}

export default async function globalSetup(): Promise<void> {
  const stack = await startStack({ shared: { AUTH_RATE_LIMIT_MAX: '10' } });
  globalThis.__E2E_STACK__ = stack;
  // Test files run in workers spawned after this: the environment is how they find the stack.
  process.env.E2E_GATEWAY_URL = stack.gatewayUrl;
  process.env.E2E_LOG_DIR = stack.logDir;
  process.env.E2E_MEDIA_DIR = stack.env['media-service'].MEDIA_DIR;
}
