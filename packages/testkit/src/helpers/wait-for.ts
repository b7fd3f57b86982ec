import { setTimeout as delay } from 'node:timers/promises';

export interface WaitForOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Shown in the timeout error, so a failing test says what it was waiting for. */
  description?: string;
}

/** Polls a condition until it holds; the alternative to sleeping in tests. Resolves with the last truthy value. */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  options: WaitForOptions = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + (options.timeoutMs ?? 5_000);
  let lastError: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const what = options.description ?? 'condition';
      throw new Error(`waitFor: ${what} not met within ${options.timeoutMs ?? 5_000} ms`, {
        cause: lastError,
      });
    }
    await delay(options.intervalMs ?? 25);
  }
}
