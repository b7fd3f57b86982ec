/**
 * `npm run dev` (watch mode, from TypeScript sources) and `npm start` (build, then the built code): all five
 * services in one terminal with prefixed, coloured logs. Ctrl-C or SIGTERM (to npm, as a supervisor sends it)
 * stops them all, then the in-memory MongoDB if one was started, and only then exits.
 *
 * npm runs a script through `sh -c` and signals only that shell, which dies without passing the signal on: the
 * scripts therefore `exec` this launcher, so the signal reaches it (through tsx, which relays it), and the
 * build runs in here instead of in a `build && ...` chain. concurrently kills each service's process tree.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import concurrently from 'concurrently';
import dotenv from 'dotenv';
import { startInMemoryMongo } from '@social/testkit';
import { checkInfrastructure } from './stack/infra-check';
import { SERVICES, stackEnvironment } from './stack/services';

const root = path.resolve(__dirname, '..');
const mode = process.argv[2] === 'start' ? 'start' : 'dev';
const fileEnv = fs.existsSync(path.join(root, '.env'))
  ? dotenv.parse(fs.readFileSync(path.join(root, '.env')))
  : {};
const setting = (name: string, fallback = ''): string => process.env[name] ?? fileEnv[name] ?? fallback;

function banner(lines: string[]): void {
  const width = Math.max(...lines.map((l) => l.length));
  const bar = '!'.repeat(width + 4);
  process.stdout.write(`\n${bar}\n${lines.map((l) => `! ${l.padEnd(width)} !`).join('\n')}\n${bar}\n\n`);
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** `npm run build`, stopped (and this process ended) if a signal comes meanwhile. */
function build(): Promise<void> {
  const child = spawn('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  const stop = (signal: NodeJS.Signals): void => {
    child.kill(signal);
  };
  for (const signal of SIGNALS) process.on(signal, stop);
  return new Promise<void>((resolve, reject) => {
    child.on('exit', (code, signal) => {
      for (const s of SIGNALS) process.off(s, stop);
      if (code === 0) resolve();
      else reject(new Error(signal ? `build stopped by ${signal}` : `build failed with exit code ${code}`));
    });
  });
}

async function main(): Promise<void> {
  if (mode === 'start') await build();
  const problems = await checkInfrastructure(
    setting('REDIS_URL', 'redis://127.0.0.1:6379'),
    setting('RABBITMQ_URL', 'amqp://guest:guest@127.0.0.1:5672'),
  );
  if (problems.length > 0) {
    process.stderr.write(`Cannot start the stack:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
    process.exit(1);
  }

  let mongoBaseUri = setting('MONGO_URI');
  let stopMongo = async (): Promise<void> => undefined;
  if (!mongoBaseUri) {
    const mongo = await startInMemoryMongo({ port: Number(setting('DEV_MONGO_PORT', '27017')) });
    mongoBaseUri = mongo.uri;
    stopMongo = () => mongo.stop();
    banner([
      `MONGO_URI is not set: using the in-memory MongoDB test server at ${mongo.uri}.`,
      'DATA IS NOT PERSISTED: everything is gone when this process stops.',
      'Set MONGO_URI (e.g. mongodb://127.0.0.1:27017) to use a real MongoDB.',
    ]);
  }
  const shared: Record<string, string> = {};
  if (!setting('JWT_SECRET')) {
    shared.JWT_SECRET = randomBytes(32).toString('hex');
    banner([
      'JWT_SECRET is not set: using a random one, so tokens die when the stack restarts.',
      'Copy .env.example to .env to keep one.',
    ]);
  }

  // Another stack (or a test of this launcher) can run beside one on the default ports.
  const offset = Number(setting('DEV_PORT_OFFSET', '0'));
  const ports = Object.fromEntries(SERVICES.map((s) => [s.name, s.port + offset]));
  const env = stackEnvironment({ mongoBaseUri, shared, ports });
  const command =
    mode === 'dev'
      ? // Node's own watch mode, not `tsx watch`: on SIGTERM it waits for the service to exit, so the launcher
        // cannot finish while a service is still shutting down.
        'exec node --watch --import tsx --conditions=@social/source src/server.ts'
      : 'exec node dist/server.js';
  const { result } = concurrently(
    SERVICES.map((s) => ({
      name: s.name,
      command,
      cwd: path.join(root, s.name),
      env: env[s.name],
      prefixColor: s.color,
    })),
    { prefix: 'name', killOthersOn: ['failure'], restartTries: 0 },
  );
  const settle = async (): Promise<void> => {
    await stopMongo();
  };
  await result.then(settle, async () => {
    await settle();
    process.exitCode = 1;
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`run-stack failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
