/**
 * Gateway overhead: the same tiny upstream answer, fetched straight from a stub upstream and through the
 * gateway (JWT check, two Redis rate limiters, proxy). Each side runs in its own process; run after
 * `npm run build -w api-gateway`:  npx tsx api-gateway/bench/gateway-overhead.ts
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { once } from 'node:events';
import autocannon from 'autocannon';
import { signAccessToken } from '@social/common/auth';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const secret = 'bench-secret-that-is-at-least-32-characters-long';
const jwt = {
  JWT_SECRET: secret,
  JWT_ISSUER: 'social-identity',
  JWT_AUDIENCE: 'social-api',
  JWT_ACCESS_TTL_SECONDS: 3600,
};

const STUB = `
const http = require('node:http');
const body = JSON.stringify({ success: true, post: { id: '64b7f0c2a1b2c3d4e5f60718', content: 'hello' } });
http.createServer((req, res) => { req.resume(); req.on('end', () => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }); res.end(body);
}); }).listen(0, '127.0.0.1', function () { console.log('PORT=' + this.address().port); });
`;

async function start(child: ChildProcess, pattern: RegExp): Promise<string> {
  let out = '';
  child.stdout?.setEncoding('utf8');
  for await (const chunk of child.stdout ?? []) {
    out += String(chunk);
    const match = pattern.exec(out);
    if (match?.[1]) return match[1];
  }
  throw new Error(`process exited before printing ${pattern}: ${out}`);
}

async function measure(name: string, url: string, headers: Record<string, string>) {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION_S, headers });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return {
    name,
    reqPerSec: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
  };
}

async function main(): Promise<void> {
  const stub = spawn(process.execPath, ['-e', STUB], { stdio: ['ignore', 'pipe', 'inherit'] });
  const stubPort = await start(stub, /PORT=(\d+)/);
  const stubUrl = `http://127.0.0.1:${stubPort}`;
  const gatewayPort = '3990';
  const gateway = spawn(process.execPath, [path.resolve(__dirname, '../dist/server.js')], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      PORT: gatewayPort,
      JWT_SECRET: secret,
      REDIS_KEY_PREFIX: `bench${Date.now()}:`,
      RATE_LIMIT_IP_MAX: '100000000',
      RATE_LIMIT_USER_MAX: '100000000',
      IDENTITY_SERVICE_URL: stubUrl,
      POST_SERVICE_URL: stubUrl,
      MEDIA_SERVICE_URL: stubUrl,
      SEARCH_SERVICE_URL: stubUrl,
    },
  });
  try {
    await waitForHealth(`http://127.0.0.1:${gatewayPort}/health`);
    const { accessToken } = signAccessToken(jwt, { id: 'a'.repeat(24), username: 'bench' });
    const auth = { authorization: `Bearer ${accessToken}` };
    const id = '64b7f0c2a1b2c3d4e5f60718';
    // Warm up keep-alive sockets and JIT on both paths.
    await autocannon({
      url: `http://127.0.0.1:${gatewayPort}/v1/posts/${id}`,
      connections: 10,
      duration: 2,
      headers: auth,
    });
    const rows = [
      await measure('direct to stub upstream', `${stubUrl}/api/posts/${id}`, auth),
      await measure('through the gateway', `http://127.0.0.1:${gatewayPort}/v1/posts/${id}`, auth),
    ];
    console.table(rows);
    console.log(JSON.stringify({ connections: CONNECTIONS, durationS: DURATION_S, results: rows }));
  } finally {
    gateway.kill('SIGTERM');
    stub.kill('SIGTERM');
    await Promise.all([once(gateway, 'exit'), once(stub, 'exit')]);
  }
}

async function waitForHealth(url: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`gateway did not become healthy at ${url}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
