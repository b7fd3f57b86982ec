import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { withDatabase } from '@social/testkit';
import { freePort } from './free-port';
import { startMongoProcess, type MongoProcess } from './mongo-process';
import { exitOf } from './processes';
import { SERVICES, stackEnvironment, type ServiceSpec } from './services';

export interface RunningStack {
  gatewayUrl: string;
  urls: Record<ServiceSpec['name'], string>;
  /** The settings the processes got, for tests that talk to Redis/RabbitMQ/MongoDB directly. */
  env: Record<ServiceSpec['name'], Record<string, string>>;
  logDir: string;
  /** SIGTERM every service; resolves with each one's exit code (a graceful shutdown exits 0). */
  stop(): Promise<Record<string, number | null>>;
  /** Stop or start one service (fault tests). */
  stopService(name: ServiceSpec['name']): Promise<number | null>;
  /** Starts (again) one service; `overrides` change its environment or node flags from then on. */
  startService(name: ServiceSpec['name'], overrides?: ServiceOverrides): Promise<void>;
  /** The process id of a running service (CPU accounting, profiling). */
  pid(name: ServiceSpec['name']): number | undefined;
  /** The services given their own MongoDB (`ownMongo`): stop it and start it again on the same port. */
  mongo: Partial<Record<ServiceSpec['name'], MongoControl>>;
}

export interface ServiceOverrides {
  env?: Record<string, string>;
  /** Flags for `node` before the script, e.g. `--cpu-prof`. */
  nodeArgs?: string[];
}

export type MongoControl = MongoProcess;

export interface StackOptions {
  /** Extra variables for every service (e.g. small rate limits). */
  shared?: Record<string, string>;
  /** The in-memory MongoDB by default; a real one when given. */
  mongoBaseUri?: string;
  readyTimeoutMs?: number;
  /** These services get their own in-memory MongoDB, which a fault test can stop and start. */
  ownMongo?: readonly ServiceSpec['name'][];
  /** Per-service environment or node flags (e.g. CACHE_ENABLED=false, --cpu-prof). */
  services?: Partial<Record<ServiceSpec['name'], ServiceOverrides>>;
}

const root = path.resolve(__dirname, '..', '..');

async function waitUntilReady(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode} before it was ready`);
    const ok = await fetch(`${url}/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await delay(100);
  }
  throw new Error(`not ready within ${timeoutMs} ms`);
}

/**
 * Starts the five services from their built code (`dist/`) as real processes on free ports, with a fresh
 * exchange, queue names, Redis key prefix and databases, so it never collides with another run.
 */
export async function startStack(options: StackOptions = {}): Promise<RunningStack> {
  const run = randomBytes(4).toString('hex');
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), `social-stack-${run}-`));
  const mongo = options.mongoBaseUri ? undefined : await startMongoProcess(path.join(logDir, 'mongo.log'));
  const ports = Object.fromEntries(
    await Promise.all(SERVICES.map(async (s) => [s.name, await freePort()] as const)),
  );
  const env = stackEnvironment({
    mongoBaseUri: options.mongoBaseUri ?? (mongo as { uri: string }).uri,
    ports,
    shared: {
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      JWT_SECRET: randomBytes(32).toString('hex'),
      EVENTS_EXCHANGE: `e2e_${run}_events`,
      EVENTS_RETRY_BACKOFF_MS: '100,200,400',
      REDIS_KEY_PREFIX: `e2e:${run}:`,
      SEARCH_EVENTS_QUEUE: `e2e_${run}.search-service.post-events`,
      MEDIA_POST_DELETED_QUEUE: `e2e_${run}.media-service.post-deleted`,
      MEDIA_STORAGE: 'local',
      MEDIA_DIR: path.join(logDir, 'media'),
      MEDIA_PUBLIC_URL: `http://127.0.0.1:${ports['api-gateway']}/v1/media/files`,
      ARGON2_MEMORY_KIB: '4096',
      ARGON2_TIME_COST: '2',
      OUTBOX_INTERVAL_MS: '200',
      ...options.shared,
    },
  });
  const ownMongo: RunningStack['mongo'] = {};
  for (const name of options.ownMongo ?? []) {
    const control = await startMongoProcess(path.join(logDir, `mongo-${name}.log`));
    ownMongo[name] = control;
    env[name].MONGO_URI = withDatabase(control.uri, SERVICES.find((s) => s.name === name)?.database ?? name);
  }
  const nodeArgs: Partial<Record<ServiceSpec['name'], string[]>> = {};
  for (const [name, o] of Object.entries(options.services ?? {}) as [
    ServiceSpec['name'],
    ServiceOverrides,
  ][]) {
    Object.assign(env[name], o.env);
    nodeArgs[name] = o.nodeArgs;
  }
  const urls = Object.fromEntries(
    SERVICES.map((s) => [s.name, `http://127.0.0.1:${ports[s.name]}`]),
  ) as RunningStack['urls'];
  const children = new Map<ServiceSpec['name'], ChildProcess>();

  const startService = async (name: ServiceSpec['name'], overrides?: ServiceOverrides): Promise<void> => {
    if (overrides?.env) Object.assign(env[name], overrides.env);
    if (overrides?.nodeArgs) nodeArgs[name] = overrides.nodeArgs;
    const out = fs.openSync(path.join(logDir, `${name}.log`), 'a');
    const child = spawn(process.execPath, [...(nodeArgs[name] ?? []), 'dist/server.js'], {
      cwd: path.join(root, name),
      env: { PATH: process.env.PATH ?? '', ...env[name] },
      stdio: ['ignore', out, out],
    });
    fs.closeSync(out);
    children.set(name, child);
    try {
      await waitUntilReady(urls[name], child, options.readyTimeoutMs ?? 30_000);
    } catch (err) {
      const tail = fs
        .readFileSync(path.join(logDir, `${name}.log`), 'utf8')
        .split('\n')
        .slice(-30)
        .join('\n');
      throw new Error(`${name} ${(err as Error).message}; last log lines:\n${tail}`);
    }
  };
  const stopService = async (name: ServiceSpec['name']): Promise<number | null> => {
    const child = children.get(name);
    if (!child) return null;
    child.kill('SIGTERM');
    // The timer is cancelled once the process exits, so callers (jest) are not held open for 15 s.
    const timer = new AbortController();
    const code = await Promise.race([
      exitOf(child),
      delay(15_000, 'timeout' as const, { signal: timer.signal }).catch(() => null),
    ]).finally(() => timer.abort());
    if (code === 'timeout') {
      child.kill('SIGKILL');
      return -1;
    }
    return code;
  };

  const stop = async (): Promise<Record<string, number | null>> => {
    const codes = Object.fromEntries(
      await Promise.all([...children.keys()].map(async (name) => [name, await stopService(name)] as const)),
    );
    await mongo?.stop();
    await Promise.all(Object.values(ownMongo).map((m) => m.stop()));
    return codes;
  };

  try {
    // The gateway checks its upstreams for readiness, so it goes last.
    await Promise.all(SERVICES.filter((s) => s.name !== 'api-gateway').map((s) => startService(s.name)));
    await startService('api-gateway');
  } catch (err) {
    await stop();
    throw err;
  }
  const pid = (name: ServiceSpec['name']): number | undefined => {
    const child = children.get(name);
    return child && child.exitCode === null && child.signalCode === null ? child.pid : undefined;
  };
  return {
    gatewayUrl: urls['api-gateway'],
    urls,
    env,
    logDir,
    stop,
    stopService,
    startService,
    pid,
    mongo: ownMongo,
  };
}
