import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { waitFor } from '@social/testkit/helpers';
import { freePort } from '../scripts/stack/free-port';

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
      // Arrange: the stack on ports of its own, beside anything on the default ones
      const offset = (await freePort()) - 3000;
      const gateway = `http://127.0.0.1:${3000 + offset}`;
      const npm = spawn('npm', script.split(' '), {
        cwd: root,
        env: { ...process.env, DEV_PORT_OFFSET: String(offset), DEV_MONGO_PORT: String(await freePort()) },
        detached: true, // its own process group, so the cleanup below can reach every leftover
        stdio: 'ignore',
      });
      const npmExit = exited(npm);
      try {
        await waitFor(
          () =>
            fetch(`${gateway}/health`).then(
              (r) => r.ok,
              () => false,
            ),
          {
            timeoutMs: 120_000,
            description: 'the stack answering through its gateway',
          },
        );
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
