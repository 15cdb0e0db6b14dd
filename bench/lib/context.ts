/** What every scenario receives from bench/run.ts. */
import type { Placement } from "./pinning.ts";
import type { Settings } from "./settings.ts";
import type { SwarmProcess } from "./swarms.ts";
import type { TokenUpstream } from "./token-upstream.ts";

export type Row = Array<string | number>;

export interface Context {
  settings: Settings;
  placement: Placement;
  upstream: TokenUpstream;
  /** The load generators, shared by all scenarios (each scenario closes its viewers). */
  swarms: SwarmProcess[];
}

export interface ScenarioResult {
  /** Rows of the main table: scenario, result, detail. */
  rows: Row[];
  /** Extra rows of the diagnostics table (where the time goes). */
  diagnostics: Row[];
}

/** Base server settings for every scenario (BENCH_COALESCE_MAX_MS=30: the fixed window before issue 13). */
export const NODE_ENV = {
  COALESCE_MS: "30",
  ...(process.env.BENCH_COALESCE_MAX_MS ? { COALESCE_MAX_MS: process.env.BENCH_COALESCE_MAX_MS } : {}),
};
