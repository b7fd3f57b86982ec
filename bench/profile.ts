import fs from 'node:fs';

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
