import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { IN_MEMORY_BANNER, startInMemoryMongo } from './server';

export type MongoBackend = 'external' | 'memory-server' | 'in-memory';

export interface StartMongoOptions {
  /** Where MONGO_TEST_URI / MONGOMS_* are read from; defaults to process.env. */
  env?: Record<string, string | undefined>;
  /** Database name in the returned uri; defaults to a fresh `test_<random>` per call. */
  dbName?: string;
  /** TTL sweep interval of the in-memory server (ignored by real mongod, which sweeps every 60 s). */
  ttlSweepMs?: number;
  /** Receives the one-line backend report; defaults to stderr. */
  log?: (line: string) => void;
}

export interface TestMongo {
  /** Includes the database name, e.g. `mongodb://127.0.0.1:40123/test_1a2b3c`. */
  uri: string;
  backend: MongoBackend;
  stop(): Promise<void>;
}

let reported = false;

/**
 * Set once the backend has been announced for this run: jest's global setup announces it in the main process
 * and every test file's worker inherits the flag, so a run prints one line, not one per file.
 */
export const MONGO_REPORTED_ENV = 'SOCIAL_TESTKIT_MONGO_REPORTED';

/** The one-line report of the backend startMongo would choose for `env`, without starting anything. */
export function describeMongoBackend(env: Record<string, string | undefined> = process.env): string {
  if (env.MONGO_TEST_URI) return 'external server from MONGO_TEST_URI';
  const binary = findMongodBinary(env);
  return binary ? `mongodb-memory-server with ${binary}` : IN_MEMORY_BANNER;
}

/**
 * A MongoDB for one test file: MONGO_TEST_URI if set, else mongodb-memory-server when a mongod binary is
 * already on disk (it never downloads), else the in-repo in-memory wire-protocol server.
 */
export async function startMongo(options: StartMongoOptions = {}): Promise<TestMongo> {
  const env = options.env ?? process.env;
  const dbName = options.dbName ?? `test_${randomBytes(6).toString('hex')}`;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const report = (line: string): void => {
    if (reported || env[MONGO_REPORTED_ENV]) return;
    reported = true;
    log(`[@social/testkit] MongoDB: ${line}`);
  };

  const external = env.MONGO_TEST_URI;
  if (external) {
    report(`external server from MONGO_TEST_URI (database ${dbName})`);
    return externalDatabase(external, dbName);
  }

  const binary = findMongodBinary(env);
  if (binary) {
    try {
      const { MongoMemoryServer } = await import('mongodb-memory-server-core');
      const server = await MongoMemoryServer.create({ binary: { systemBinary: binary } });
      report(`mongodb-memory-server with ${binary}`);
      return {
        uri: server.getUri(dbName),
        backend: 'memory-server',
        stop: async () => {
          await server.stop({ doCleanup: true });
        },
      };
    } catch (err) {
      log(
        `[@social/testkit] mongodb-memory-server failed (${(err as Error).message}); using the in-memory server`,
      );
    }
  }

  const server = await startInMemoryMongo({ ttlSweepMs: options.ttlSweepMs });
  report(IN_MEMORY_BANNER);
  return { uri: `${server.uri}/${dbName}`, backend: 'in-memory', stop: () => server.stop() };
}

/** A database of its own on an external server (a real mongod); `stop()` drops it. */
export function externalDatabase(baseUri: string, dbName: string): TestMongo {
  const uri = withDatabase(baseUri, dbName);
  return { uri, backend: 'external', stop: () => dropDatabase(uri) };
}

/** Replaces (or adds) the database path of a MongoDB connection string, keeping its query options. */
export function withDatabase(uri: string, dbName: string): string {
  const match = /^(mongodb(?:\+srv)?:\/\/[^/?]+)(?:\/[^?]*)?(\?.*)?$/.exec(uri);
  if (!match) throw new Error('not a mongodb:// connection string (MONGO_TEST_URI or MONGO_URI)');
  return `${match[1]}/${dbName}${match[2] ?? ''}`;
}

/**
 * Only a binary that is already on disk counts: mongodb-memory-server would otherwise try to download one,
 * which fails after seconds on machines without network.
 */
function findMongodBinary(env: Record<string, string | undefined>): string | undefined {
  const system = env.MONGOMS_SYSTEM_BINARY;
  if (system) return existsSync(system) ? system : undefined;
  const dirs = [
    env.MONGOMS_DOWNLOAD_DIR,
    path.join(os.homedir(), '.cache', 'mongodb-binaries'),
    ...ancestors(process.cwd()).map((dir) =>
      path.join(dir, 'node_modules', '.cache', 'mongodb-memory-server'),
    ),
  ];
  for (const dir of dirs) {
    if (!dir || !existsSync(dir)) continue;
    const binary = readdirSync(dir).find((name) => name.startsWith('mongod-'));
    if (binary) return path.join(dir, binary);
  }
  return undefined;
}

function ancestors(dir: string): string[] {
  const parent = path.dirname(dir);
  return parent === dir ? [dir] : [dir, ...ancestors(parent)];
}

async function dropDatabase(uri: string): Promise<void> {
  const { MongoClient } = await import('mongodb');
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5_000 });
  try {
    await client.db().dropDatabase();
  } finally {
    await client.close();
  }
}
