import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunningStack, ServiceName } from '../scripts/stack/start-stack';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/** The hottest functions of a V8 .cpuprofile by self time, grouped by function and file. */
export function summarizeProfile(
  file: string,
  top: number,
): { fn: string; where: string; selfPct: number }[] {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as { nodes: ProfileNode[] };
  const total = profile.nodes.reduce((sum, n) => sum + (n.hitCount ?? 0), 0);
  const byFn = new Map<string, number>();
  for (const n of profile.nodes) {
    const where = n.callFrame.url
      .replace(/^.*node_modules\//, '')
      .replace(/^file:\/\/.*?\/(api-gateway|packages|[a-z]+-service)\//, '$1/');
    const key = `${n.callFrame.functionName || '(anonymous)'}\t${where}:${n.callFrame.lineNumber + 1}`;
    byFn.set(key, (byFn.get(key) ?? 0) + (n.hitCount ?? 0));
  }
  return [...byFn.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([key, hits]) => {
      const [fn = '', where = ''] = key.split('\t');
      return { fn, where, selfPct: +((100 * hits) / Math.max(total, 1)).toFixed(1) };
    });
}

export interface ProfiledService {
  name: string;
  file: string;
  top: { fn: string; where: string; selfPct: number }[];
}

/**
 * Runs `work` with the named services restarted under `--cpu-prof`, restarts them plain afterwards, prints and
 * returns each one's hottest functions by self time.
 */
export async function profileWhile(
  stack: RunningStack,
  names: readonly ServiceName[],
  work: () => Promise<unknown>,
  top = 25,
): Promise<ProfiledService[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'social-bench-profile-'));
  const restart = async (nodeArgs: (name: ServiceName) => string[]): Promise<void> => {
    for (const name of names) {
      await stack.stopService(name);
      await stack.startService(name, { nodeArgs: nodeArgs(name) });
    }
  };
  await restart((name) => ['--cpu-prof', '--cpu-prof-dir', path.join(dir, name)]);
  await work();
  await restart(() => []);
  const profiled: ProfiledService[] = [];
  for (const name of names) {
    const found = fs.readdirSync(path.join(dir, name)).find((f) => f.endsWith('.cpuprofile'));
    if (!found) continue;
    const file = path.join(dir, name, found);
    const hottest = summarizeProfile(file, top);
    console.log(`  ${name} CPU profile (${file}), hottest functions by self time:`);
    console.table(hottest);
    profiled.push({ name, file, top: hottest });
  }
  return profiled;
}
