import { Router } from 'express';

export type ReadinessCheck = () => Promise<unknown>;

export interface Readiness {
  /** Each dependency's check: resolves when reachable. */
  checks: Record<string, ReadinessCheck>;
  /** Extra numbers shown on /ready, e.g. the outbox backlog. */
  details?: () => Promise<Record<string, unknown>> | Record<string, unknown>;
  timeoutMs?: number;
}

const withTimeout = <T>(promise: Promise<T>, ms: number): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    promise.then(resolve, reject).finally(() => clearTimeout(timer));
  });

export async function checkReadiness(
  readiness: Readiness,
): Promise<{ ready: boolean; checks: Record<string, string> }> {
  const entries = await Promise.all(
    Object.entries(readiness.checks).map(async ([name, check]) => {
      try {
        await withTimeout(Promise.resolve().then(check), readiness.timeoutMs ?? 1_000);
        return [name, 'up'] as const;
      } catch {
        return [name, 'down'] as const;
      }
    }),
  );
  return { ready: entries.every(([, state]) => state === 'up'), checks: Object.fromEntries(entries) };
}

/** `/health`: the process is alive. `/ready`: every dependency answers (200), or which do not (503). */
export function healthRoutes(readiness: Readiness): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    res.json({ success: true, status: 'ok' });
  });
  router.get('/ready', async (req, res) => {
    const [{ ready, checks }, details] = await Promise.all([
      checkReadiness(readiness),
      Promise.resolve(readiness.details?.() ?? {}),
    ]);
    res.status(ready ? 200 : 503).json({
      success: ready,
      status: ready ? 'ready' : 'not ready',
      ...(ready ? {} : { message: 'Some dependencies are unavailable', requestId: req.requestId }),
      checks,
      details,
    });
  });
  return router;
}
