/** Cumulative buckets of one Prometheus histogram series: [upper bound, count], ascending, +Inf last. */
export type Buckets = [number, number][];

const labelsOf = (line: string): Record<string, string> =>
  Object.fromEntries([...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1] as string, m[2] as string]));

/** One histogram's buckets from a `/metrics` page, summed over the series whose labels include `match`. */
export async function readBuckets(
  url: string,
  metric: string,
  match: Record<string, string>,
): Promise<Buckets> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const byLe = new Map<number, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${metric}_bucket{`)) continue;
    const labels = labelsOf(line.slice(0, line.lastIndexOf('}') + 1));
    if (!Object.entries(match).every(([k, v]) => labels[k] === v)) continue;
    const le = labels.le === '+Inf' || labels.le === undefined ? Infinity : Number(labels.le);
    byLe.set(le, (byLe.get(le) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return [...byLe.entries()].sort((a, b) => a[0] - b[0]);
}

/** What was observed between two reads of the same series. */
export const minus = (after: Buckets, before: Buckets): Buckets =>
  after.map(([le, c]) => [le, c - (before.find(([l]) => l === le)?.[1] ?? 0)]);

export const countOf = (buckets: Buckets): number => buckets[buckets.length - 1]?.[1] ?? 0;

/** Quantile from cumulative buckets, linear within a bucket (like PromQL's histogram_quantile). */
export function histogramQuantile(q: number, buckets: Buckets): number {
  const total = countOf(buckets);
  if (total === 0) return NaN;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const [le, count] of buckets) {
    if (count >= rank) {
      if (!Number.isFinite(le)) return prevLe;
      return prevLe + ((le - prevLe) * (rank - prevCount)) / Math.max(count - prevCount, 1);
    }
    prevLe = le;
    prevCount = count;
  }
  return prevLe;
}
