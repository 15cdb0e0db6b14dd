/**
 * Command counts of a redis-server (INFO commandstats), over a tiny RESP connection so the bench
 * needs no Redis client library. Counts include commands run inside Lua scripts (Redis counts
 * each redis.call), listed beside the EVALSHA/EVAL that ran them.
 */
import { connect } from "node:net";

/** Sends one inline command and resolves with its reply (simple string, error or bulk string). */
function command(port: number, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let data = Buffer.alloc(0);
    socket.setTimeout(5000, () => socket.destroy(new Error(`redis ${line}: timeout`)));
    socket.on("error", reject);
    socket.on("connect", () => socket.write(`${line}\r\n`));
    socket.on("data", (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      const reply = complete(data);
      if (reply === undefined) return;
      socket.end();
      if (reply.startsWith("-")) reject(new Error(`redis ${line}: ${reply}`));
      else resolve(reply);
    });
  });
}

function complete(data: Buffer): string | undefined {
  const lineEnd = data.indexOf("\r\n");
  if (lineEnd < 0) return undefined;
  const head = data.subarray(0, lineEnd).toString();
  if (!head.startsWith("$")) return head;
  const length = Number(head.slice(1));
  const start = lineEnd + 2;
  return data.length >= start + length + 2 ? data.subarray(start, start + length).toString() : undefined;
}

/** Commands the measurement itself sends: left out of the counts. */
const OWN = /^(info|config\|resetstat|config|monitor)$/;

export async function resetStats(port: number): Promise<void> {
  await command(port, "CONFIG RESETSTAT");
}

/** Calls per command since the last reset, e.g. { publish: 120, evalsha: 60, hset: 60 }. */
export async function commandCounts(port: number): Promise<Map<string, number>> {
  const info = await command(port, "INFO commandstats");
  const counts = new Map<string, number>();
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    const name = match[1]!;
    if (!OWN.test(name)) counts.set(name, Number(match[2]));
  }
  return counts;
}

export interface Monitor {
  /** Stops monitoring; calls per command, split by who ran them: a client connection or a Lua script. */
  stop(): { clients: Map<string, number>; scripts: Map<string, number> };
}

/**
 * Watches every command with MONITOR, to tell the commands the nodes send over the network
 * (round trips) from those their Lua scripts run inside Redis. Costs Redis some throughput: use
 * it for counting, not for timing.
 */
export async function monitor(port: number): Promise<Monitor> {
  const socket = connect(port, "127.0.0.1");
  const clients = new Map<string, number>();
  const scripts = new Map<string, number>();
  let rest = "";
  socket.setEncoding("utf8");
  socket.on("data", (chunk: string) => {
    const lines = (rest + chunk).split("\r\n");
    rest = lines.pop() ?? "";
    for (const line of lines) {
      const match = /^\+[\d.]+ \[\d+ ([^\]]+)\] "([^"]+)"/.exec(line);
      if (!match) continue;
      const name = match[2]!.toLowerCase();
      if (OWN.test(name)) continue;
      const counts = match[1] === "lua" ? scripts : clients;
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.once("connect", () => {
      socket.write("MONITOR\r\n");
      resolve();
    });
  });
  // The +OK reply arrives before any monitored command.
  await new Promise<void>((resolve) => socket.once("data", () => resolve()));
  return {
    stop: () => {
      socket.destroy();
      return { clients, scripts };
    },
  };
}

/** Memory Redis holds for data (INFO memory: used_memory), in KB. */
export async function usedMemoryKb(port: number): Promise<number> {
  const info = await command(port, "INFO memory");
  const match = /^used_memory:(\d+)/m.exec(info);
  return match ? Math.round(Number(match[1]) / 1024) : Number.NaN;
}
