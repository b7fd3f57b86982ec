export default async function globalTeardown(): Promise<void> {
  const stack = globalThis.__E2E_STACK__;
  if (!stack) return;
  const codes = await stack.stop();
  const unclean = Object.entries(codes).filter(([, code]) => code !== 0);
  if (unclean.length > 0) {
    throw new Error(`services did not shut down cleanly: ${JSON.stringify(codes)} (logs in ${stack.logDir})`);
  }
}
