import type { RunningStack } from '../../scripts/stack/start-stack';
import type { Row } from './measure';

/** What every scenario gets: the running stack, a signed-in user and a post to read. */
export interface BenchContext {
  stack: RunningStack;
  auth: { authorization: string };
  email: string;
  password: string;
  /** A post created at start, read over and over by the cached-GET scenarios. */
  postId: string;
  /** Extra flags from the command line (`--profile`, `--rounds=3`). */
  args: BenchArgs;
  /** Rows for the final table; a scenario pushes its own. */
  rows: Row[];
  /** Anything else a scenario reports (ratios, lag quantiles), keyed by scenario; goes into the JSON. */
  extra: Record<string, unknown>;
}

export interface BenchArgs {
  only?: string[];
  profile: boolean;
  rounds: number;
  /** `--lag-rates=50,100,200`: the lag scenario's create rates (posts/s), each run `rounds` times. */
  lagRates?: number[];
}

/** A bench scenario: one module under bench/scenarios/, listed in bench/scenarios/index.ts. */
export interface Scenario {
  name: string;
  description: string;
  run(ctx: BenchContext): Promise<void>;
}

export const json = async <T>(res: Promise<Response>): Promise<T> => (await (await res).json()) as T;
