/** Benchmark settings, from the environment (documented in bench/README.md). */
export const ALL_SCENARIOS = ["a1", "a2", "b", "c", "d", "e", "s", "f", "g", "i", "h"] as const;
export type ScenarioId = (typeof ALL_SCENARIOS)[number];

export interface Settings {
  viewers: number;
  swarms: number;
  scenarios: ScenarioId[];
  pin: boolean;
  /** BENCH_ASKER=fresh: the asker of (a) joins right before asking and leaves at once. */
  freshAsker: boolean;
  /** (a): a short answer to the same audience before the measured one (BENCH_WARM_UP=0: none). */
  warmUp: boolean;
  /** Viewers of (f), (g) and the larger (c) run (BENCH_SCALE_VIEWERS, default 10,000). */
  scaleViewers: number;
  /** Bare-ws viewers (light-viewer.ts) instead of socket.io-client; set by the scenarios at scale. */
  light: boolean;
  /** Token rates for (a): [tokens per second, tokens]. */
  latencyRuns: Array<[number, number]>;
}

function scenarios(value: string | undefined): ScenarioId[] {
  if (!value) return [...ALL_SCENARIOS];
  const wanted = value
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const unknown = wanted.filter((s) => !(ALL_SCENARIOS as readonly string[]).includes(s));
  if (unknown.length > 0)
    throw new Error(`BENCH_SCENARIOS: unknown ${unknown.join(", ")} (known: ${ALL_SCENARIOS.join(",")})`);
  return ALL_SCENARIOS.filter((s) => wanted.includes(s));
}

function rates(value: string | undefined): Array<[number, number]> {
  if (!value)
    return [
      [50, 500],
      [500, 2000],
    ];
  return value.split(",").map((pair) => {
    const [rate, tokens] = pair.split(":").map(Number);
    if (!rate || !tokens) throw new Error(`BENCH_RATES: expected rate:tokens[,rate:tokens], got ${value}`);
    return [rate, tokens];
  });
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  return {
    viewers: Number(env.BENCH_VIEWERS ?? 1000),
    swarms: Number(env.BENCH_SWARMS ?? 4),
    scenarios: scenarios(env.BENCH_SCENARIOS),
    pin: env.BENCH_PIN === "1",
    freshAsker: env.BENCH_ASKER === "fresh",
    warmUp: env.BENCH_WARM_UP !== "0",
    latencyRuns: rates(env.BENCH_RATES),
    scaleViewers: Number(env.BENCH_SCALE_VIEWERS ?? 10_000),
    light: false,
  };
}
