import { ConfigError } from '../config';

/**
 * Runs a service's bootstrap; a failure to start (bad config, a dependency that never came up) is printed
 * plainly and ends the process with 1, so an orchestrator restarts it instead of leaving it half-started.
 */
export function runMain(service: string, main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    const reason =
      err instanceof ConfigError
        ? err.message
        : err instanceof Error
          ? (err.stack ?? err.message)
          : String(err);
    process.stderr.write(`${service} failed to start: ${reason}\n`);
    process.exit(1);
  });
}
