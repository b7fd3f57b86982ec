import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { externalDatabase, withDatabase } from '@social/testkit';
import { deleteBrokerTopology } from './broker-topology';
import { freePort } from './free-port';
import { startMongoProcess, type MongoProcess } from './mongo-process';
import { externalMongo, type ExternalMongo } from './mongo-target';
import { exitOf } from './processes';
import {
  SERVICES,
  replicaEnvironment,
  serviceDatabase,
  stackEnvironment,
  type ServiceSpec,
} from './services';

export type ServiceName = ServiceSpec['name'];

/** One process of a service. Replicas share the service's database, queues, exchange and Redis prefix. */
export interface ServiceInstance {
  name: ServiceName;
  /** 1-based. */
  replica: number;
  url: string;
  /** Its internal listener (METRICS_PORT): /metrics and /ready. */
  internalUrl: string;
  env: Record<string, string>;
}

export interface RunningStack {
  /** The first gateway. */
  gatewayUrl: string;
  /** Every gateway replica; gateway n talks to replica n of each service that runs as many (see `replicas`). */
  gatewayUrls: string[];
  /** Replica 1 of each service. */
  urls: Record<ServiceName, string>;
  /** Replica 1 of each service's internal listener (METRICS_PORT): /metrics and /ready. */
  internalUrls: Record<ServiceName, string>;
  /** The settings replica 1 got, for tests that talk to Redis/RabbitMQ/MongoDB directly. */
  env: Record<ServiceName, Record<string, string>>;
  /** Every process of each service, replica 1 first. */
  instances: Record<ServiceName, ServiceInstance[]>;
  logDir: string;
  /** SIGTERM every service; resolves with each one's exit code (a graceful shutdown exits 0). */
  stop(): Promise<Record<string, number | null>>;
  /** SIGTERM to one replica (default the first), then its exit code (fault tests). */
  stopService(name: ServiceName, replica?: number): Promise<number | null>;
  /** SIGKILL to one replica: a crash, no shutdown code runs. Resolves once it is gone. */
  killService(name: ServiceName, replica?: number): Promise<void>;
  /** Starts (again) one replica; `overrides` change its environment or node flags from then on. */
  startService(name: ServiceName, overrides?: ServiceOverrides, replica?: number): Promise<void>;
  /** The process id of a running replica (CPU accounting, profiling). */
  pid(name: ServiceName, replica?: number): number | undefined;
  /** The process id of the stack's in-memory MongoDB; undefined on an external server. */
  mongoPid(): number | undefined;
  /** The services given their own MongoDB (`ownMongo`): stop it and start it again on the same port. */
  mongo: Partial<Record<ServiceName, MongoControl>>;
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
  /** A real MongoDB; else MONGO_TEST_URI, then MONGO_URI from `env`; else the in-memory server. */
  mongoBaseUri?: string;
  /** Where MONGO_TEST_URI and MONGO_URI are read from; process.env by default. */
  env?: Record<string, string | undefined>;
  readyTimeoutMs?: number;
  /**
   * These services get their own in-memory MongoDB, which a fault test can stop and start (a real server
   * named by MONGO_TEST_URI cannot be), whatever MongoDB the others use.
   */
  ownMongo?: readonly ServiceSpec['name'][];
  /** Per-service environment or node flags (e.g. CACHE_ENABLED=false, --cpu-prof), for every replica. */
  services?: Partial<Record<ServiceName, ServiceOverrides>>;
  /**
   * Processes per service (default 1 each), each on its own ports. Gateway n proxies to replica n of a
   * service that has n replicas, else to its last one: with 2 gateways and 2 post-services, each gateway
   * has a post-service of its own (no load balancer in between, as with one Service per replica).
   */
  replicas?: Partial<Record<ServiceName, number>>;
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
 * The real MongoDB a stack uses, as the unit suites choose theirs: MONGO_TEST_URI, then MONGO_URI.
 * Undefined: the stack runs the in-memory server in a process of its own.
 */
function externalFor(options: StackOptions): ExternalMongo | undefined {
  if (options.mongoBaseUri) return { uri: options.mongoBaseUri, from: 'mongoBaseUri' };
  return externalMongo(options.env ?? process.env, ['MONGO_TEST_URI', 'MONGO_URI']);
}

/**
 * Starts the five services from their built code (`dist/`) as real processes on free ports, with a fresh
 * exchange, queue names, Redis key prefix and databases, so it never collides with another run. On a real
 * MongoDB each service gets a database of its own for this run (`stack_<run>_posts`), dropped by stop().
 */
export async function startStack(options: StackOptions = {}): Promise<RunningStack> {
  const run = randomBytes(4).toString('hex');
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), `social-stack-${run}-`));
  const external = externalFor(options);
  const mongo = external ? undefined : await startMongoProcess(path.join(logDir, 'mongo.log'));
  const databasePrefix = external ? `stack_${run}` : undefined;
  if (external) {
    process.stderr.write(
      `[stack] MongoDB: external server from ${external.from} (databases ${databasePrefix}_*, dropped at stop)\n`,
    );
  }
  const count = (name: ServiceName): number => options.replicas?.[name] ?? 1;
  // Every port distinct: the OS may hand out a port again once the probe that found it has closed.
  const taken = new Set<number>();
  const distinctPort = async (): Promise<number> => {
    for (;;) {
      const port = await freePort();
      if (taken.has(port)) continue;
      taken.add(port);
      return port;
    }
  };
  const allocate = async (): Promise<Record<ServiceName, number[]>> => {
    const byService = {} as Record<ServiceName, number[]>;
    for (const s of SERVICES) {
      byService[s.name] = [];
      for (let i = 0; i < count(s.name); i++) byService[s.name].push(await distinctPort());
    }
    return byService;
  };
  const ports = await allocate();
  const internalPorts = await allocate();
  // The replica of `upstream` that replica `replica` of another service talks to.
  const portOf = (upstream: ServiceName, replica: number): number =>
    ports[upstream][Math.min(replica, count(upstream)) - 1] as number;
  const env = stackEnvironment({
    mongoBaseUri: external?.uri ?? (mongo as { uri: string }).uri,
    databasePrefix,
    ports: Object.fromEntries(SERVICES.map((s) => [s.name, portOf(s.name, 1)])),
    shared: {
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      JWT_SECRET: randomBytes(32).toString('hex'),
      // Production mode requires it: the local broker's guest account (admitted from this host only).
      RABBITMQ_URL: 'amqp://guest:guest@127.0.0.1:5672',
      EVENTS_EXCHANGE: `e2e_${run}_events`,
      EVENTS_RETRY_BACKOFF_MS: '100,200,400',
      REDIS_KEY_PREFIX: `e2e:${run}:`,
      SEARCH_EVENTS_QUEUE: `e2e_${run}.search-service.post-events`,
      MEDIA_POST_DELETED_QUEUE: `e2e_${run}.media-service.post-deleted`,
      MEDIA_USER_DELETED_QUEUE: `e2e_${run}.media-service.user-deleted`,
      IDENTITY_EVENTS_QUEUE: `e2e_${run}.identity-service.user-deleted`,
      POST_FEED_FANOUT_QUEUE: `e2e_${run}.post-service.feed-fanout`,
      POST_USER_EVENTS_QUEUE: `e2e_${run}.post-service.user-projection`,
      POST_USER_DELETED_QUEUE: `e2e_${run}.post-service.user-deleted`,
      MEDIA_STORAGE: 'local',
      // A dot segment like the default (media-service/.media): the journey's public file fetch covers it.
      MEDIA_DIR: path.join(logDir, '.media'),
      MEDIA_PUBLIC_URL: `http://127.0.0.1:${portOf('api-gateway', 1)}/v1/media/files`,
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
  const nodeArgs: Partial<Record<ServiceName, string[]>> = {};
  for (const [name, o] of Object.entries(options.services ?? {}) as [ServiceName, ServiceOverrides][]) {
    Object.assign(env[name], o.env);
    nodeArgs[name] = o.nodeArgs;
  }
  const local = (port: number): string => `http://127.0.0.1:${port}`;
  const instances = Object.fromEntries(
    SERVICES.map((s) => [
      s.name,
      Array.from({ length: count(s.name) }, (_, i): ServiceInstance => {
        const replica = i + 1;
        const at = {
          port: ports[s.name][i] as number,
          metricsPort: internalPorts[s.name][i] as number,
          url: (upstream: ServiceName, r: number) => local(portOf(upstream, r)),
        };
        // Replica 1 keeps `env[name]` itself, so overrides of env[name] reach it as before.
        const own = replicaEnvironment(env[s.name], s.name, replica, at);
        if (replica === 1) Object.assign(env[s.name], own);
        return {
          name: s.name,
          replica,
          url: local(at.port),
          internalUrl: local(at.metricsPort),
          env: replica === 1 ? env[s.name] : own,
        };
      }),
    ]),
  ) as Record<ServiceName, ServiceInstance[]>;
  const first = (name: ServiceName): ServiceInstance => instances[name][0] as ServiceInstance;
  const urls = Object.fromEntries(SERVICES.map((s) => [s.name, first(s.name).url])) as RunningStack['urls'];
  const internalUrls = Object.fromEntries(
    SERVICES.map((s) => [s.name, first(s.name).internalUrl]),
  ) as RunningStack['internalUrls'];
  const children = new Map<string, ChildProcess>();
  const instanceOf = (name: ServiceName, replica: number): ServiceInstance => {
    const instance = instances[name][replica - 1];
    if (!instance) throw new RangeError(`${name} has no replica ${replica} (replicas: ${count(name)})`);
    return instance;
  };
  // Replica 1 keeps the names it always had (`post-service.log`, exit code key `post-service`).
  const key = (name: ServiceName, replica: number): string => (replica === 1 ? name : `${name}-${replica}`);

  const startService = async (
    name: ServiceName,
    overrides?: ServiceOverrides,
    replica = 1,
  ): Promise<void> => {
    const instance = instanceOf(name, replica);
    if (overrides?.env) Object.assign(instance.env, overrides.env);
    if (overrides?.nodeArgs) nodeArgs[name] = overrides.nodeArgs;
    const logFile = path.join(logDir, `${key(name, replica)}.log`);
    const out = fs.openSync(logFile, 'a');
    const child = spawn(process.execPath, [...(nodeArgs[name] ?? []), 'dist/server.js'], {
      cwd: path.join(root, name),
      env: { PATH: process.env.PATH ?? '', ...instance.env },
      stdio: ['ignore', out, out],
    });
    fs.closeSync(out);
    children.set(key(name, replica), child);
    try {
      await waitUntilReady(instance.internalUrl, child, options.readyTimeoutMs ?? 30_000);
    } catch (err) {
      const tail = fs.readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n');
      throw new Error(`${key(name, replica)} ${(err as Error).message}; last log lines:\n${tail}`);
    }
  };
  const stopService = async (name: ServiceName, replica = 1): Promise<number | null> => {
    const child = children.get(key(name, replica));
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
  const killService = async (name: ServiceName, replica = 1): Promise<void> => {
    const child = children.get(key(name, replica));
    if (!child) return;
    const exited = exitOf(child);
    child.kill('SIGKILL');
    await exited;
  };

  const dropRunDatabases = async (): Promise<void> => {
    if (!external) return;
    const databases = SERVICES.filter((s) => !ownMongo[s.name])
      .map((s) => serviceDatabase(s, databasePrefix))
      .filter((db): db is string => db !== undefined);
    await Promise.all(databases.map((db) => externalDatabase(external.uri, db).stop()));
  };

  const stop = async (): Promise<Record<string, number | null>> => {
    const all = SERVICES.flatMap((s) => instances[s.name]);
    const codes = Object.fromEntries(
      await Promise.all(
        all
          .filter((i) => children.has(key(i.name, i.replica)))
          .map(async (i) => [key(i.name, i.replica), await stopService(i.name, i.replica)] as const),
      ),
    );
    await mongo?.stop();
    await Promise.all(Object.values(ownMongo).map((m) => m.stop()));
    await dropRunDatabases();
    await deleteBrokerTopology(env, env['post-service'].RABBITMQ_URL as string);
    // The logs stay where the caller can read them when a service did not shut down cleanly.
    if (Object.values(codes).every((code) => code === 0)) fs.rmSync(logDir, { recursive: true, force: true });
    return codes;
  };

  const startAll = (names: ServiceName[]): Promise<void[]> =>
    Promise.all(
      names.flatMap((name) => instances[name].map((i) => startService(name, undefined, i.replica))),
    );
  try {
    // The gateway checks its upstreams for readiness, so it goes last.
    await startAll(SERVICES.map((s) => s.name).filter((name) => name !== 'api-gateway'));
    await startAll(['api-gateway']);
  } catch (err) {
    await stop();
    throw err;
  }
  const pid = (name: ServiceName, replica = 1): number | undefined => {
    const child = children.get(key(name, replica));
    return child && child.exitCode === null && child.signalCode === null ? child.pid : undefined;
  };
  return {
    gatewayUrl: urls['api-gateway'],
    gatewayUrls: instances['api-gateway'].map((i) => i.url),
    urls,
    internalUrls,
    env,
    instances,
    logDir,
    stop,
    stopService,
    killService,
    startService,
    pid,
    mongoPid: () => mongo?.pid(),
    mongo: ownMongo,
  };
}
