/** Polls `check` until it returns true; fails with `message` after `timeoutMs`. */
export async function eventually(
  check: () => Promise<boolean>,
  { timeoutMs = 5_000, intervalMs = 25, message = 'condition not met' } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${message} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
