import type { Logger } from '../logger';

export interface PeriodicTask {
  /** Runs the task every `intervalMs` from now on (the first run one interval from now). */
  start(): void;
  /** No more runs; resolves once a run in progress has finished. */
  stop(): Promise<void>;
}

/**
 * Housekeeping on a timer: `run` every `intervalMs`, one run at a time (the next is timed from the end of the
 * last), a failure logged and retried at the next tick, the timer never keeping the process alive.
 */
export function periodic(options: {
  name: string;
  intervalMs: number;
  log: Logger;
  run: () => Promise<unknown>;
}): PeriodicTask {
  const { name, log } = options;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = true;

  const tick = (): void => {
    timer = undefined;
    running = options
      .run()
      .then(
        () => undefined,
        (err: unknown) => {
          log.warn(`${name} failed; retrying at the next interval`, { err });
        },
      )
      .finally(() => {
        running = undefined;
        schedule();
      });
  };
  const schedule = (): void => {
    if (stopped || timer) return;
    timer = setTimeout(tick, options.intervalMs);
    timer.unref();
  };

  return {
    start() {
      stopped = false;
      if (!running) schedule();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}
