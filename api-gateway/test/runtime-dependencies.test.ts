import { spawnSync } from 'node:child_process';
import path from 'node:path';

const serviceDir = path.resolve(__dirname, '..');

/** The package a loaded file belongs to: `…/node_modules/@scope/name/x.js` -> `@scope/name`. */
const packageOf = (file: string): string | undefined => {
  const inModules = file.split(`${path.sep}node_modules${path.sep}`)[1];
  if (!inModules) return undefined;
  const [first, second] = inModules.split(path.sep);
  return first?.startsWith('@') ? `${first}/${second}` : first;
};

/**
 * Starts the real entry point from source with a configuration it rejects: by then every module `server.ts`
 * imports is loaded, and the process prints what is in the require cache as it exits.
 */
function packagesLoadedByServer(): { status: number | null; stderr: string; packages: Set<string> } {
  const script = [
    "process.on('exit', () => process.stdout.write(JSON.stringify(Object.keys(require.cache))));",
    "require('./src/server.ts');",
  ].join('\n');
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=@social/source', '-e', script], {
    cwd: serviceDir,
    // Only what is given here: no JWT_SECRET and a PORT that is no port, so the start always fails.
    env: { NODE_ENV: 'test', PORT: 'not-a-port' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const files = JSON.parse(run.stdout || '[]') as string[];
  const packages = new Set(files.map(packageOf).filter((name): name is string => name !== undefined));
  return { status: run.status, stderr: run.stderr, packages };
}

describe('the gateway process', () => {
  test('when server.ts has loaded, then no database driver, broker client, upload parser or hasher is in it', () => {
    // Act
    const { status, stderr, packages } = packagesLoadedByServer();

    // Assert
    expect({ status, stderr }).toMatchObject({
      status: 1,
      stderr: expect.stringContaining('api-gateway failed to start'),
    });
    expect([...packages]).toEqual(expect.arrayContaining(['express', 'http-proxy-middleware', 'ioredis']));
    const forbidden = ['mongoose', 'mongodb', 'bson', 'multer', 'amqplib', 'argon2', 'cloudinary'];
    expect(forbidden.filter((name) => packages.has(name))).toEqual([]);
  }, 60_000);
});
