import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort } from '../../scripts/stack/free-port';
import { stopChild } from '../../scripts/stack/processes';

export interface BareProxy {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Starts bench/bare-proxy.ts in front of `target` as a process of its own (its CPU time is read from /proc). */
export async function startBareProxy(target: string): Promise<BareProxy> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--disable-warning=MODULE_TYPELESS_PACKAGE_JSON',
      path.join(__dirname, '..', 'bare-proxy.ts'),
      String(port),
      target,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bare proxy exited with ${code}`)));
    child.stdout?.once('data', () => resolve());
  });
  return { url: `http://127.0.0.1:${port}`, pid: child.pid as number, stop: () => stopChild(child) };
}
