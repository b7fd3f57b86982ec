import winston from 'winston';

const MESSAGE = Symbol.for('message');
const LEVEL = Symbol.for('level');

// Lines for stdout wait at most this long, or until this many are pending, to be written together.
const FLUSH_INTERVAL_MS = 20;
const MAX_PENDING_LINES = 1024;

// Transports holding lines not yet written, and the one exit hook that writes them: a process that creates many
// loggers (a test run) neither piles up exit listeners nor keeps every transport alive through one.
const unwritten = new Set<BatchedConsole>();
let exitHooked = false;
const writeAllOnExit = (): void => {
  for (const transport of unwritten) transport.flush();
};
const holdsLines = (transport: BatchedConsole): void => {
  unwritten.add(transport);
  if (exitHooked) return;
  process.once('exit', writeAllOnExit);
  exitHooked = true;
};

/**
 * winston's Console transport, but lines are written in batches: stdout and stderr to a file or a pipe are
 * synchronous on Linux, so the access log cost a write(2) per request, and with one write per event-loop turn
 * still one for every two or three requests under load. stdout lines wait up to 20 ms (or 1024 lines); a line
 * for stderr (errors) is written on the next turn, with everything pending before it. Lines keep their order
 * per stream. Whatever is pending is written when the process exits.
 */
export class BatchedConsole extends winston.transports.Console {
  private out: string[] = [];
  private err: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private readonly toStderr: ReadonlySet<string>;

  constructor(options: winston.transports.ConsoleTransportOptions = {}) {
    super(options);
    this.toStderr = new Set(options.stderrLevels ?? ['error']);
  }

  override log(info: Record<string | symbol, unknown>, next: () => void): void {
    const line = String(info[MESSAGE]);
    holdsLines(this);
    if (this.toStderr.has(String(info[LEVEL]))) {
      this.err.push(line);
      this.flushSoon();
    } else {
      this.out.push(line);
      if (this.out.length >= MAX_PENDING_LINES) this.flushSoon();
      else this.flushLater();
    }
    next();
  }

  private flushSoon(): void {
    this.immediate ??= setImmediate(this.flush);
  }

  private flushLater(): void {
    if (this.timer) return;
    // Never what keeps a process alive: the exit handler writes what is left.
    this.timer = setTimeout(this.flush, FLUSH_INTERVAL_MS).unref();
  }

  readonly flush = (): void => {
    clearTimeout(this.timer);
    clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
    unwritten.delete(this);
    if (this.out.length > 0) {
      process.stdout.write(`${this.out.join('\n')}\n`);
      this.out = [];
    }
    if (this.err.length > 0) {
      process.stderr.write(`${this.err.join('\n')}\n`);
      this.err = [];
    }
  };

  override close(): void {
    this.flush();
  }
}
