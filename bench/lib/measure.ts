import fs from 'node:fs';
import autocannon from 'autocannon';

export const WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? 2);
export const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 8);
export const CONNECTIONS = 20;

export interface Row {
  scenario: string;
  reqPerSec: number;
  p50: number;
  p97_5: number;
  p99: number;
  errors: number;
  non2xx: number;
  /** CPU time per request of the process named in `cpuOf`, in µs. */
  cpuUsPerReq?: number;
  cpuOf?: string;
  /** CPU time per request of each process in `cpuSplit`, in µs: where a route's cost lands across the stack. */
  cpuSplitUsPerReq?: Record<string, number>;
  note?: string;
}

export interface Load {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  connections?: number;
  overallRate?: number;
  duration?: number;
}

export const fire = (load: Load, duration: number): Promise<autocannon.Result> =>
  autocannon({
    url: load.url,
    method: load.method ?? 'GET',
    headers: load.headers,
    body: load.body,
    connections: load.connections ?? CONNECTIONS,
    overallRate: load.overallRate,
    duration,
  });

/** CPU seconds (user + system) a process used so far, from /proc (clock ticks are 100 Hz on Linux). */
export function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export const rowOf = (scenario: string, r: autocannon.Result, note?: string): Row => ({
  scenario,
  reqPerSec: Math.round(r.requests.average),
  p50: r.latency.p50,
  p97_5: r.latency.p97_5,
  p99: r.latency.p99,
  errors: r.errors + r.timeouts,
  non2xx: r.non2xx,
  note,
});

export const printRow = (row: Row): void =>
  console.log(
    `  ${row.scenario}: ${row.reqPerSec} req/s, p50 ${row.p50} ms, p99 ${row.p99} ms, non-2xx ${row.non2xx}` +
      (row.cpuUsPerReq === undefined ? '' : `, ${row.cpuUsPerReq} CPU µs/req (${row.cpuOf})`) +
      (row.cpuSplitUsPerReq === undefined
        ? ''
        : `; CPU µs/req ${Object.entries(row.cpuSplitUsPerReq)
            .map(([name, us]) => `${name} ${us}`)
            .join(', ')}`),
  );

export interface MeteredProcess {
  name: string;
  pid: number;
}

/**
 * A warm-up, then the measured run. With `cpuOf`, that process's CPU time over the measured run is divided by the
 * requests answered in it; `cpuSplit` does the same for several processes (the bench's own is `process.pid`).
 */
export async function measure(
  scenario: string,
  load: Load,
  options: { note?: string; cpuOf?: MeteredProcess; cpuSplit?: MeteredProcess[] } = {},
): Promise<Row> {
  await fire(load, WARMUP_S);
  const metered = [...(options.cpuOf ? [options.cpuOf] : []), ...(options.cpuSplit ?? [])];
  const before = metered.map((p) => cpuSeconds(p.pid));
  const r = await fire(load, load.duration ?? DURATION_S);
  const row = rowOf(scenario, r, options.note);
  const answered = Math.max(r.requests.total, 1);
  const usPerRequest = new Map(
    metered.map((p, i) => [p, Math.round(((cpuSeconds(p.pid) - (before[i] ?? 0)) * 1e6) / answered)]),
  );
  if (options.cpuOf) {
    row.cpuUsPerReq = usPerRequest.get(options.cpuOf);
    row.cpuOf = options.cpuOf.name;
  }
  if (options.cpuSplit) {
    row.cpuSplitUsPerReq = Object.fromEntries(
      options.cpuSplit.map((p) => [p.name, usPerRequest.get(p) ?? 0]),
    );
  }
  printRow(row);
  return row;
}

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
