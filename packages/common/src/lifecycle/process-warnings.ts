import { outsideContext, type Logger } from '../logger';

/**
 * Node prints a process warning (a dependency's deprecation, a listener leak) as plain text on stderr: the one
 * line of a service's output that is not part of its JSON log. From here on each one is a warn line of `log`
 * with the warning's name and code, and Node's own printer (the only listener at start-up) is taken out. The line
 * carries no request id: Node emits a warning once per process, in the context of whichever request set it off
 * first, and it is about the process.
 */
export function logProcessWarnings(log: Logger): void {
  for (const listener of process.listeners('warning')) process.removeListener('warning', listener);
  process.on('warning', (warning: Error & { code?: string }) => {
    outsideContext(() =>
      log.warn('process warning', { name: warning.name, code: warning.code, detail: warning.message }),
    );
  });
}
