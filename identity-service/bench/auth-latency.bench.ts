// Register and login latency at the production argon2id cost (m=19456 KiB, t=2, p=1 unless ARGON2_* are passed
// to this script as arguments). A script, never a timed test. Run from the repo root with Redis up:
//   npx tsx --conditions=@social/source identity-service/bench/auth-latency.bench.ts [count]
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import argon2 from 'argon2';
import { listen } from '@social/common/lifecycle';
import { createMetrics } from '@social/common/metrics';
import { connectMongo } from '@social/common/mongo';
import { closeRedis, createRedis } from '@social/common/redis';
import { startMongo } from '@social/testkit';
import { silentLogger, testJwtConfig, uniqueName, waitFor } from '@social/testkit/helpers';
import { createApp } from '../src/app';
import { identityConfigSchema, type IdentityConfig } from '../src/config';
import { createIdentityModels } from '../src/models/identity-models';

const count = Number(process.argv[2] ?? 30);

const stats = (ms: number[]): Record<string, number> => {
  const s = [...ms].sort((a, b) => a - b);
  const at = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  const round = (n: number): number => Math.round(n * 10) / 10;
  return {
    n: s.length,
    mean: round(s.reduce((a, b) => a + b, 0) / s.length),
    p50: round(at(0.5)),
    p95: round(at(0.95)),
    max: round(s[s.length - 1]!),
  };
};

async function main(): Promise<void> {
  const log = silentLogger('identity-bench');
  const mongo = await startMongo({ log: () => undefined });
  const { value } = identityConfigSchema.validate({
    MONGO_URI: mongo.uri,
    ...testJwtConfig,
    REDIS_KEY_PREFIX: `${uniqueName('bench')}:`,
    LOGIN_RATE_LIMIT_MAX: 1_000_000,
  });
  const config = value as IdentityConfig;
  const conn = await connectMongo({ uri: config.MONGO_URI, log });
  const models = await createIdentityModels(conn);
  const redis = createRedis({ url: config.REDIS_URL, keyPrefix: config.REDIS_KEY_PREFIX, log });
  const app = createApp({
    config,
    log,
    metrics: createMetrics('identity-bench'),
    readiness: { checks: {} },
    redis,
    ...models,
  });
  await waitFor(() => redis.status === 'ready');
  const server = http.createServer(app);
  const base = `http://127.0.0.1:${await listen(server, 0)}/api/auth`;
  const post = async (path: string, body: object): Promise<number> => {
    const t0 = performance.now();
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${path} answered ${res.status}`);
    await res.arrayBuffer();
    return performance.now() - t0;
  };

  const params = {
    memoryCost: config.ARGON2_MEMORY_KIB,
    timeCost: config.ARGON2_TIME_COST,
    parallelism: config.ARGON2_PARALLELISM,
  };
  const hashMs: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    await argon2.hash('correct horse battery staple', { type: argon2.argon2id, ...params });
    hashMs.push(performance.now() - t0);
  }
  const users = Array.from({ length: count }, (_, i) => ({
    username: `bench_${i}_${Date.now() % 100000}`,
    email: `bench${i}.${Date.now()}@example.com`,
    password: `password-${i}-long`,
  }));
  const registerMs: number[] = [];
  for (const u of users) registerMs.push(await post('/register', u));
  const loginMs: number[] = [];
  for (const u of users) loginMs.push(await post('/login', { email: u.email, password: u.password }));
  const unknownMs: number[] = [];
  for (const u of users) {
    const t0 = performance.now();
    await fetch(`${base}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: `x${u.email}`, password: u.password }),
    });
    unknownMs.push(performance.now() - t0);
  }
  const t0 = performance.now();
  await Promise.all(users.map((u) => post('/login', { email: u.email, password: u.password })));
  const parallelS = (performance.now() - t0) / 1000;

  console.log(JSON.stringify({ argon2: params, mongo: mongo.backend }, null, 0));
  console.table({
    'argon2id hash (raw)': stats(hashMs),
    'POST /register': stats(registerMs),
    'POST /login (ok)': stats(loginMs),
    'POST /login (unknown email, 401)': stats(unknownMs),
  });
  console.log(`${count} concurrent logins: ${(count / parallelS).toFixed(1)} logins/s`);

  server.close();
  await closeRedis(redis);
  await conn.close();
  await mongo.stop();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
