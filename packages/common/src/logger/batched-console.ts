import winston from 'winston';

const MESSAGE = Symbol.for('message');
const LEVEL = Symbol.for('level');

/**
 * winston's Console transport, but a line is written with the others of the same event-loop turn: stdout and
 * stderr to a file or a pipe are synchronous on Linux, so the access log cost a write(2) per request. Lines
 * keep their order per stream; errors go to stderr. Whatever is pending is written when the process exits.
 */
export class BatchedConsole extends winston.transports.Console {
  private out: string[] = [];
  private err: string[] = [];
  private scheduled = false;
  private readonly toStderr: ReadonlySet<string>;

  constructor(options: winston.transports.ConsoleTransportOptions = {}) {
    super(options);
    this.toStderr = new Set(options.stderrLevels ?? ['error']);
    process.once('exit', this.flush);
  }

  override log(info: Record<string | symbol, unknown>, next: () => void): void {
    const line = String(info[MESSAGE]);
    if (this.toStderr.has(String(info[LEVEL]))) this.err.push(line);
    else this.out.push(line);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
    next();
  }

  readonly flush = (): void => {
    this.scheduled = false;
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
    process.removeListener('exit', this.flush);
  }
}
