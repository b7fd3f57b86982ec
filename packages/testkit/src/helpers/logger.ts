import { Writable } from 'node:stream';
import winston from 'winston';
import { createLogger, type Logger } from '@social/common/logger';

export interface CapturedLogger {
  log: Logger;
  /** Every line written so far, as parsed JSON. */
  lines: Array<Record<string, unknown> & { level: string; message: string }>;
}

/** A logger that writes nothing to the console but keeps every line for observability assertions. */
export function captureLogger(service = 'test'): CapturedLogger {
  const lines: CapturedLogger['lines'] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as CapturedLogger['lines'][number]);
      done();
    },
  });
  const log = createLogger({ service, json: true, level: 'debug' });
  log.clear().add(new winston.transports.Stream({ stream, format: winston.format.json() }));
  return { log, lines };
}

export const silentLogger = (service = 'test'): Logger => createLogger({ service, silent: true });
