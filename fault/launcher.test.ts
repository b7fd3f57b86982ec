import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { waitFor } from '@social/testkit/helpers';
import { freePortRange } from '../scripts/stack/free-port';

const root = path.resolve(__dirname, '..');

/** Every process below `pid`, read from /proc (ppid is field 4 of /proc/<pid>/stat). */
function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parentOf.set(Number(entry), Number(fields[1]));
    } catch {
      // Exited while we looked.
    }
  }
  const found: number[] = [];
  const walk = (parent: number): void => {
    for (const [child, ppid] of parentOf) {
      if (ppid === parent) {
        found.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return found;
}

const alive = (pid: number): boolean =>
  fs.existsSync(`/proc/${pid}`) && !fs.readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');

const exited = (child: ChildProcess): Promise<number | null> =>
  new Promise((resolve) => child.once('exit', (code) => resolve(code)));

/**
 * A supervisor (systemd, a container runtime, a CI job) stops `npm start` by signalling npm's own pid. The
 * whole stack must stop with it, and npm must not return before it has: otherwise services live on,
 * re-parented to PID 1, holding their ports.
 */
describe('npm start and npm run dev under a supervisor', () => {
  test.each([
    ['start', 'SIGTERM'],
    ['start', 'SIGINT'],
    ['run dev', 'SIGTERM'],
    ['run dev', 'SIGINT'],
  ] as const)(
    'when `npm %s` gets %s itself, then every service exits before npm does',
    async (script, signal) => {
      // Arrange: the stack on ports of its own (five services, then MongoDB), beside anything on the defaults
      const base = await freePortRange(6);
      const gateway = `http://127.0.0.1:${base}`;
      const npm = spawn('npm', script.split(' '), {
        cwd: root,
        env: { ...process.env, DEV_PORT_OFFSET: String(base - 3000), DEV_MONGO_PORT: String(base + 5) },
        detached: true, // its own process group, so the cleanup below can reach every leftover
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      // The stack's own words, so a stack that never comes up says why instead of only timing out.
      let output = '';
      const keep = (chunk: Buffer): void => {
        output = (output + chunk.toString()).slice(-20_000);
      };
      npm.stdout?.on('data', keep);
      npm.stderr?.on('data', keep);
      let npmCode: number | null | undefined;
      const npmExit = exited(npm).then((code) => (npmCode = code));
      try {
        const stackUp = (): Promise<boolean> =>
          fetch(`${gateway}/health`).then(
            (r) => r.ok,
            () => false,
          );
        await waitFor(() => npmCode !== undefined || stackUp(), {
          timeoutMs: 120_000,
          description: 'the stack answering through its gateway',
        }).catch((err: Error) => {
          throw new Error(`${err.message}; its output:\n${output}`);
        });
        if (npmCode !== undefined)
          throw new Error(`npm ${script} exited (${npmCode}) before the stack answered:\n${output}`);
        const tree = descendants(npm.pid as number);
        expect(tree.length).toBeGreaterThanOrEqual(5);

        // Act
        process.kill(npm.pid as number, signal);
        await npmExit;

        // Assert: nothing of the stack outlived npm
        expect(tree.filter(alive)).toEqual([]);
        await expect(fetch(`${gateway}/health`)).rejects.toThrow();
      } finally {
        try {
          process.kill(-(npm.pid as number), 'SIGKILL');
        } catch {
          // Already gone, as it should be.
        }
      }
    },
    180_000,
  );
});
