import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { Writable } from 'node:stream';
import winston from 'winston';
import { createLogger, runWithContext, updateContext } from '../src/logger';

function captureLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const transport = new winston.transports.Stream({ stream, format: winston.format.json() });
  const log = createLogger({ service: 'post-service', json: true, transports: [transport] });
  log.remove(log.transports[0]!); // keep test output quiet: only the capture stream
  return { log, lines };
}

describe('logger', () => {
  test('when logging inside a request context, then service, requestId and userId are on the line', async () => {
    const { log, lines } = captureLogger();
    await runWithContext({ requestId: 'req-1' }, async () => {
      await Promise.resolve();
      updateContext({ userId: 'u-1' });
      log.info('post created', { postId: 'p1' });
    });
    expect(lines[0]).toMatchObject({
      service: 'post-service',
      requestId: 'req-1',
      userId: 'u-1',
      postId: 'p1',
    });
  });

  test('when a payload carries secrets, then they are redacted at any depth', () => {
    const { log, lines } = captureLogger();
    log.info('login', {
      password: 'hunter22',
      nested: { refreshToken: 'abc', headers: { authorization: 'Bearer x' } },
    });
    expect(JSON.stringify(lines[0])).not.toMatch(/hunter22|"abc"|Bearer x/);
    expect(lines[0]).toMatchObject({ password: '[REDACTED]', nested: { refreshToken: '[REDACTED]' } });
  });

  test('when an error is logged, then its name, message and stack are kept', () => {
    const { log, lines } = captureLogger();
    log.error('failed', { err: new TypeError('bad thing') });
    expect(lines[0]).toMatchObject({
      err: { name: 'TypeError', message: 'bad thing', stack: expect.stringContaining('TypeError') },
    });
  });
});

describe('readable logs', () => {
  const capture = (colors: boolean | undefined) => {
    const written: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        written.push(chunk.toString());
        done();
      },
    });
    const log = createLogger({ service: 'post-service', json: false, colors });
    log.clear().add(new winston.transports.Stream({ stream }));
    return { log, written };
  };
  // eslint-disable-next-line no-control-regex -- the escape character is what is looked for
  const ansi = /\u001b\[/;

  test('when the output is not a terminal, then lines carry no ANSI colour codes', () => {
    const { log, written } = capture(false);
    log.warn('cache unavailable', { op: 'get' });
    expect(written[0]).toMatch(/warn post-service: cache unavailable \{"op":"get"\}/);
    expect(written[0]).not.toMatch(ansi);
  });

  test('when the output is a terminal, then the level is coloured', () => {
    const { log, written } = capture(true);
    log.warn('cache unavailable');
    expect(written[0]).toMatch(ansi);
  });

  test('when colours are not chosen, then they follow whether stdout is a terminal (jest: a pipe)', () => {
    const { log, written } = capture(undefined);
    log.info('hello');
    expect(ansi.test(written[0] ?? '')).toBe(process.stdout.isTTY === true);
  });
});

describe('batched console output', () => {
  test('when a process with many loggers exits right after logging, then the line is written and no listener piles up', () => {
    // A child process: stdout batching is per process, and only a real exit shows what the exit hook writes.
    const script = `
      const { createLogger } = require(${JSON.stringify(path.join(__dirname, '../src/logger/create-logger.ts'))});
      const logs = Array.from({ length: 20 }, () => createLogger({ service: 'batch-test', json: true }));
      logs[7].info('last words', { n: process.listenerCount('exit') });
      process.exit(0);
    `;
    const run = spawnSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stderr).not.toMatch(/MaxListenersExceededWarning/);
    const line = JSON.parse(run.stdout.trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ message: 'last words', service: 'batch-test' });
    expect(line.n).toBeLessThanOrEqual(2); // one hook for every logger, not one each
  });
});
