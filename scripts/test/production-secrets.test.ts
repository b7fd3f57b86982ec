import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SERVICES, type ServiceSpec } from '../stack/services';

const root = path.resolve(__dirname, '..', '..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
const PUBLISHED_JWT_SECRET = 'dev-only-jwt-secret-change-me-please-0123456789'; // printed in earlier .env.example
const usesBroker = (name: ServiceSpec['name']): boolean =>
  ['post-service', 'media-service', 'search-service'].includes(name);

/** Starts the real entry point (src/server.ts) and collects how it ends. */
function start(name: string, env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  // An empty working directory and no inherited variables: no developer .env can change the outcome.
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'prod-secrets-'));
  const child = spawn(tsx, ['--conditions=@social/source', path.join(root, name, 'src', 'server.ts')], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: cwd, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(timer);
      fs.rmSync(cwd, { recursive: true, force: true });
      resolve({ code, stderr });
    }),
  );
}

describe('a service started in production with published secrets', () => {
  test.each(SERVICES.map((s) => s.name))(
    'when %s gets the published JWT secret and the guest broker account, then it refuses to start and says why',
    async (name) => {
      const { code, stderr } = await start(name, {
        NODE_ENV: 'production',
        JWT_SECRET: PUBLISHED_JWT_SECRET,
        RABBITMQ_URL: 'amqp://guest:guest@rabbitmq.internal:5672',
        MONGO_URI: 'mongodb://127.0.0.1:1/never-reached',
      });
      expect(code).toBe(1);
      expect(stderr).toContain(`${name} failed to start: Invalid configuration`);
      expect(stderr).toContain('JWT_SECRET is a value published in this repository');
      if (usesBroker(name))
        expect(stderr).toContain(
          'RABBITMQ_URL has no password, guest, or a password published in this repository, for a broker',
        );
      expect(stderr).not.toContain(PUBLISHED_JWT_SECRET);
    },
  );
});
