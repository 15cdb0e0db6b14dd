/**
 * Starts a Tokencast server node as a real child process (port 0) and reads its port from the
 * startup log. Every node started here is killed when the test process exits, whatever happens.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
import { waitFor } from "./wait.ts";

const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const MAIN = "packages/server/src/main.ts";
const live = new Set<ChildProcess>();

process.on("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

export interface ServerNode {
  url: string;
  port: number;
  child: ChildProcess;
  /** Parsed JSON log lines, in order. */
  logs: Array<Record<string, unknown>>;
  /** Non-JSON output (stderr, crashes). */
  output: string[];
  exitCode: number | null | undefined;
  /** SIGTERM (graceful) and wait for exit; returns the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** SIGKILL: the node dies without any cleanup. */
  kill(): Promise<void>;
}

/** `env` wins over the test defaults; a variable set to undefined is not passed (the server's default applies). */
export async function startNode(env: Record<string, string | undefined> = {}): Promise<ServerNode> {
  const child = spawn(process.execPath, ["--import", "tsx", MAIN], {
    cwd: REPO_ROOT,
    env: { ...baseEnv(), PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  live.add(child);
  const node = describeNode(child);
  try {
    const port = await waitFor(() => listeningPort(node), { timeoutMs: 20_000, what: "the node to listen" });
    node.port = port;
    node.url = `http://127.0.0.1:${port}`;
  } catch (error) {
    child.kill("SIGKILL");
    throw new Error(`${(error as Error).message}\n${node.output.join("\n")}`);
  }
  return node;
}

const LIMITS_OFF = {
  RATE_EVENTS_PER_CONNECTION: "1000000",
  RATE_EVENTS_PER_IP: "1000000",
  RATE_HTTP_PER_IP: "1000000",
  ROOMS_PER_IP_PER_HOUR: "1000000",
  RATE_BYTES_PER_IP: "1000000000",
  // Room slots and LLM load (issue 11): many tests open rooms and start answers at once from
  // 127.0.0.1, and some let the asker leave while the answer streams. A test that needs the old
  // behaviour gets it; one that tests a limit sets it (pass undefined for the server's default).
  MAX_ROOMS_PER_CONNECTION: "0",
  ADHOC_ROOMS_PER_IP_PER_HOUR: "0",
  MAX_MEMBERS_PER_IP_PER_ROOM: "0",
  LLM_MAX_CONCURRENT: "0",
  ANSWERS_PER_IP_PER_MINUTE: "0",
  ABANDONED_ANSWER_GRACE_MS: "0",
};

function baseEnv(): Record<string, string | undefined> {
  // The test runner's own LLM/Redis settings must not leak into nodes.
  const env = { ...process.env };
  for (const key of Object.keys(env))
    if (/^(LLM_|REDIS_|DEMO_|COALESCE_|HISTORY_|MAX_|RATE_|TRUST_)/.test(key)) delete env[key];
  // Every test client comes from 127.0.0.1, and some send hundreds of events on purpose: the
  // abuse limits are off unless a test sets them (tests/limits.test.ts does).
  return { ...env, ...LIMITS_OFF };
}

function describeNode(child: ChildProcess): ServerNode & { port: number } {
  const node = {
    url: "",
    port: 0,
    child,
    logs: [] as Array<Record<string, unknown>>,
    output: [] as string[],
    exitCode: undefined as number | null | undefined,
    stop: (signal: NodeJS.Signals = "SIGTERM") => stopChild(child, node, signal),
    kill: async () => {
      await stopChild(child, node, "SIGKILL");
    },
  };
  createInterface({ input: child.stdout! }).on("line", (line) => collect(node, line));
  createInterface({ input: child.stderr! }).on("line", (line) => node.output.push(line));
  child.on("exit", (code) => {
    node.exitCode = code;
    live.delete(child);
  });
  return node;
}

function collect(node: ServerNode, line: string): void {
  try {
    node.logs.push(JSON.parse(line) as Record<string, unknown>);
  } catch {
    // Not a pino line (e.g. a stack trace from a crash): keep it as plain output.
    node.output.push(line);
  }
}

function listeningPort(node: ServerNode): number | undefined {
  if (node.exitCode !== undefined) throw new Error(`node exited with ${node.exitCode}`);
  const line = node.logs.find((entry) => typeof entry.port === "number" && String(entry.msg).startsWith("listening"));
  return line?.port as number | undefined;
}

async function stopChild(child: ChildProcess, node: ServerNode, signal: NodeJS.Signals): Promise<number | null> {
  if (node.exitCode !== undefined) return node.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  child.kill(signal);
  return exited;
}

/** Log lines at error level or above, and any crash output: a healthy node has none. */
export function problems(node: ServerNode): string[] {
  const errors = node.logs.filter((entry) => typeof entry.level === "number" && entry.level >= 50);
  return [...errors.map((entry) => JSON.stringify(entry)), ...node.output.filter((l) => l.trim() !== "")];
}

/** The limits every node here starts with turned off: bench/scenarios/abuse.ts unsets them to measure the defaults. */
export { LIMITS_OFF };
