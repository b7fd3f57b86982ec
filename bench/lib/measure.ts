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

/** autocannon's result, and the latency percentiles of its 2xx answers to the microsecond. */
export interface Fired extends autocannon.Result {
  /**
   * In ms, from every 2xx answer's own time: autocannon's histogram keeps whole milliseconds, so its p50 of 4 could
   * be anything from 4.0 to 4.99, and a ratio of two such p50s is off by up to 25%. Absent under `overallRate`,
   * where autocannon's own figures correct for coordinated omission.
   */
  exact?: { p50: number; p97_5: number; p99: number };
}

/** The value below which a `q` share of the sorted `times` lie (the nearest-rank percentile). */
const percentile = (sorted: Float64Array, q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;

export const fire = (load: Load, duration: number): Promise<Fired> =>
  new Promise((resolve, reject) => {
    const times: number[] = [];
    const closedLoop = load.overallRate === undefined;
    const instance = autocannon(
      {
        url: load.url,
        method: load.method ?? 'GET',
        headers: load.headers,
        body: load.body,
        connections: load.connections ?? CONNECTIONS,
        overallRate: load.overallRate,
        duration,
      },
      (err: unknown, result: autocannon.Result) => {
        if (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
          return;
        }
        if (!closedLoop || times.length === 0) {
          resolve(result);
          return;
        }
        const sorted = Float64Array.from(times).sort();
        resolve({
          ...result,
          exact: {
            p50: percentile(sorted, 0.5),
            p97_5: percentile(sorted, 0.975),
            p99: percentile(sorted, 0.99),
          },
        });
      },
    );
    if (closedLoop)
      instance.on('response', (_client, statusCode, _bytes, responseTime) => {
        if (statusCode >= 200 && statusCode < 300) times.push(responseTime);
      });
  });

/** CPU seconds (user + system) a process used so far, from /proc (clock ticks are 100 Hz on Linux). */
export function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Latencies in rows are kept to 0.1 ms. */
const tenths = (ms: number): number => Math.round(ms * 10) / 10;

export const rowOf = (scenario: string, r: Fired, note?: string): Row => ({
  scenario,
  reqPerSec: Math.round(r.requests.average),
  p50: tenths(r.exact?.p50 ?? r.latency.p50),
  p97_5: tenths(r.exact?.p97_5 ?? r.latency.p97_5),
  p99: tenths(r.exact?.p99 ?? r.latency.p99),
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
