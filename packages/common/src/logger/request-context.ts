import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestContext {
  requestId?: string;
  userId?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** Runs `fn` with a context that every log line written inside it (also after awaits) picks up. */
export const runWithContext = <T>(ctx: RequestContext, fn: () => T): T => storage.run({ ...ctx }, fn);

export const currentContext = (): RequestContext | undefined => storage.getStore();

/** Runs `fn` with no request context: for a line about the process that a request happened to set off. */
export const outsideContext = <T>(fn: () => T): T => storage.exit(fn);

/** Adds fields to the current context, e.g. the user id once a token is verified. */
export function updateContext(fields: RequestContext): void {
  const ctx = storage.getStore();
  if (ctx) Object.assign(ctx, fields);
}
