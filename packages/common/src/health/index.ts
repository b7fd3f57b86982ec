import { Router, type RequestHandler } from 'express';
import { gauge as createGauge, type Registry } from '../metrics';
import type { Logger } from '../logger';

export type ReadinessCheck = () => Promise<unknown>;

export interface Readiness {
  /** What the service cannot work without (its MongoDB): one of these down makes `/ready` answer 503. */
  required?: Record<string, ReadinessCheck>;
  /**
   * What it degrades without (a cache that fails soft, a broker the outbox buffers for, an upstream): reported
   * in the body and in `dependency_up`, never a reason to take the process out of rotation.
   */
  optional?: Record<string, ReadinessCheck>;
  /**
   * Extra numbers shown on /ready, e.g. the outbox backlog. Bounded by `timeoutMs` like the checks: details that
   * fail or do not arrive in time are left out rather than holding (or failing) the probe.
   */
  details?: () => Promise<Record<string, unknown>> | Record<string, unknown>;
  timeoutMs?: number;
}

export type DependencyState = 'up' | 'down';

export interface ReadinessReport {
  ready: boolean;
  status: 'ready' | 'degraded' | 'not ready' | 'shutting down';
  checks: Record<string, DependencyState>;
  details: Record<string, unknown>;
}

export interface ReadinessProbe {
  check(): Promise<ReadinessReport>;
  /** From the start of a graceful shutdown on, the process asks to be taken out of rotation. */
  shuttingDown(): void;
}

const withTimeout = <T>(promise: Promise<T>, ms: number): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    promise.then(resolve, reject).finally(() => clearTimeout(timer));
  });

const reasonOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * Runs the checks, reports each dependency in `dependency_up{dependency, required}`, and logs each one's
 * change of state once (with the reason it failed), not on every probe.
 */
export function createReadinessProbe(
  readiness: Readiness,
  deps: { log: Logger; registry: Registry },
): ReadinessProbe {
  const gauge = createGauge(deps.registry, {
    name: 'dependency_up',
    help: 'Whether a dependency answered its last readiness check (1) or not (0)',
    labelNames: ['dependency', 'required'] as const,
  });
  const last = new Map<string, DependencyState>();
  let stopping = false;
  const timeoutMs = readiness.timeoutMs ?? 1_000;

  const details = async (): Promise<Record<string, unknown>> => {
    const { details: read } = readiness;
    if (!read) return {};
    return withTimeout(Promise.resolve().then(read), timeoutMs).catch(() => ({}));
  };

  const run = async (name: string, check: ReadinessCheck, required: boolean): Promise<DependencyState> => {
    let state: DependencyState = 'up';
    let reason = '';
    try {
      await withTimeout(Promise.resolve().then(check), timeoutMs);
    } catch (err) {
      state = 'down';
      reason = reasonOf(err);
    }
    gauge.set({ dependency: name, required: String(required) }, state === 'up' ? 1 : 0);
    const before = last.get(name);
    last.set(name, state);
    if (state === 'down' && before !== 'down') {
      deps.log.warn('dependency unavailable', { dependency: name, required, reason });
    } else if (state === 'up' && before === 'down') {
      deps.log.info('dependency available again', { dependency: name, required });
    }
    return state;
  };

  return {
    async check() {
      const groups = [
        ...Object.entries(readiness.required ?? {}).map(([n, c]) => [n, c, true] as const),
        ...Object.entries(readiness.optional ?? {}).map(([n, c]) => [n, c, false] as const),
      ];
      const [states, shown] = await Promise.all([
        Promise.all(
          groups.map(
            async ([name, check, required]) => [name, await run(name, check, required), required] as const,
          ),
        ),
        details(),
      ]);
      const requiredDown = states.some(([, state, required]) => required && state === 'down');
      const anyDown = states.some(([, state]) => state === 'down');
      const ready = !stopping && !requiredDown;
      return {
        ready,
        status: stopping ? 'shutting down' : requiredDown ? 'not ready' : anyDown ? 'degraded' : 'ready',
        checks: Object.fromEntries(states.map(([name, state]) => [name, state])),
        details: shown,
      };
    },
    shuttingDown() {
      stopping = true;
    },
  };
}

/** The `/health` answer: the process is alive and can serve. */
export const answerHealth: RequestHandler = (_req, res) => {
  res.json({ success: true, status: 'ok' });
};

/** `/health` as a router of its own, for the internal port. */
export function healthRoute(): Router {
  return Router().get('/health', answerHealth);
}

/** `/ready`: 200 unless a required dependency is down (or the process is stopping), with every check's state. */
export function readinessRoute(probe: ReadinessProbe): Router {
  const router = Router();
  router.get('/ready', async (req, res) => {
    const report = await probe.check();
    res.status(report.ready ? 200 : 503).json({
      success: report.ready,
      status: report.status,
      ...(report.ready ? {} : { message: 'Not ready to serve', requestId: req.requestId }),
      checks: report.checks,
      details: report.details,
    });
  });
  return router;
}
